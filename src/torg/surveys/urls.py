from django.urls import URLPattern, URLResolver, path

from torg.surveys import views

app_name = "surveys"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/waves/new/", views.wave_open, name="wave_open"),
    path("waves/<int:pk>/settings/", views.wave_settings, name="wave_settings"),
    path("waves/<int:wave_pk>/items/<int:pk>/", views.item_edit, name="item_edit"),
    path("waves/<int:pk>/results/", views.wave_results_page, name="results"),
    path("waves/<int:pk>/results.xlsx", views.wave_results_xlsx, name="results_xlsx"),
    path("waves/<int:pk>/responses.csv", views.wave_responses_csv, name="responses_csv"),
]
