from django.urls import path

from torg.visits import (
    views,
    views_attribution,
    views_counts,
    views_events,
    views_national_form,
)

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("export.csv", views.visit_export, name="export"),
    path("events/", views.event_list_page, name="events"),
    path("events/export.csv", views.event_export, name="events_export"),
    path("sites/<int:site_id>/", views_counts.site_visits, name="site"),
    path("sites/<int:site_id>/export.csv", views_counts.site_visits_export, name="site_export"),
    path("counts/new/", views_counts.visit_count_new, name="count_new"),
    path("counts/<int:pk>/", views_counts.visit_count_edit, name="count_edit"),
    path("counts/<int:pk>/delete/", views_counts.visit_count_remove, name="count_delete"),
    path("sweeps/new/", views_counts.sweep_new, name="sweep_new"),
    path("attribution/", views_attribution.attribution_page, name="attribution"),
    path("events/new/", views_events.event_new, name="event_new"),
    path("events/names/", views_events.event_names, name="event_names"),
    path("events/<int:pk>/", views_events.event_edit, name="event_edit"),
    path("events/<int:pk>/delete/", views_events.event_remove, name="event_delete"),
    path("national-form/", views_national_form.national_form_page, name="national_form"),
    path(
        "national-form/export.csv", views_national_form.national_form_csv, name="national_form_csv"
    ),
    path(
        "national-form/export.xlsx",
        views_national_form.national_form_xlsx,
        name="national_form_xlsx",
    ),
]
