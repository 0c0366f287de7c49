from django.urls import path

from torg.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.site_list, name="sites"),
    path("add/", views.site_add, name="site_add"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("<int:pk>/service-points/add/", views.service_point_add, name="service_point_add"),
    path(
        "<int:pk>/service-points/<int:point_pk>/edit/",
        views.service_point_edit,
        name="service_point_edit",
    ),
    path("<int:pk>/opening-hours/add/", views.opening_hours_add, name="opening_hours_add"),
    path(
        "<int:pk>/opening-hours/<int:hours_pk>/delete/",
        views.opening_hours_delete,
        name="opening_hours_delete",
    ),
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
