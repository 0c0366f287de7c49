from django.urls import path

from torg.rosters import views

app_name = "rosters"
urlpatterns = [
    path("", views.roster_list_page, name="list"),
    path("stop/", views.job_stop, name="job-stop"),
    path("setup/", views.setup_page, name="setup"),
    path("<int:pk>/", views.roster_page, name="detail"),
    path("<int:pk>/edit/", views.roster_edit, name="edit"),
    path("<int:pk>/publish/", views.roster_publish_view, name="publish"),
    path("<int:pk>/roster.csv", views.roster_csv, name="csv"),
    path("<int:pk>/roster.xlsx", views.roster_xlsx, name="xlsx"),
    path("<int:pk>/staff/<int:staff_pk>.ics", views.staff_ical, name="ical"),
]
