from django.urls import path

from torg.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.site_list, name="sites"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/model-periods/add/", views.site_model_period_add, name="site_model_period_add"),
    path(
        "<int:pk>/model-periods/<int:period_pk>/edit/",
        views.site_model_period_edit,
        name="site_model_period_edit",
    ),
    path(
        "<int:pk>/model-periods/<int:period_pk>/delete/",
        views.site_model_period_delete,
        name="site_model_period_delete",
    ),
]
