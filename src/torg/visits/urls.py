from django.urls import path

from torg.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("export.csv", views.visit_export, name="export"),
    path("events/", views.event_list_page, name="events"),
    path("events/export.csv", views.event_export, name="events_export"),
]
