from django.urls import URLPattern, URLResolver, path

from torg.imports import views

app_name = "imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.import_list, name="list"),
]
