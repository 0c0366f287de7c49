from django.urls import URLPattern, URLResolver, path

from torg.catalogue import views

app_name = "catalogue"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue_list, name="list"),
    path("new/", views.service_new, name="create"),
    path("<int:pk>/edit/", views.service_edit, name="edit"),
    path("<int:pk>/remove/", views.service_remove_view, name="remove"),
    path("load-default/", views.load_default, name="load_default"),
]
