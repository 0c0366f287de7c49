from django.urls import path

from torg.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.evaluation_page, name="index"),
    path("models/", views.model_comparison_page, name="models"),
    path("excluded/", views.excluded_periods_page, name="excluded"),
    path("guide/", views.model_guide_page, name="guide"),
    path("report/", views.report_page, name="report"),
    path("guide/checklist/", views.checklist_page, name="checklist"),
]
