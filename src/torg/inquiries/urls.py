from django.urls import path

from torg.inquiries import desk, views

app_name = "inquiries"
urlpatterns = [
    path("", views.inquiry_list_page, name="list"),
    path("export.csv", views.inquiry_export, name="export"),
    path("desk/", desk.desk_page, name="desk"),
    path("<int:pk>/correct/", desk.inquiry_correct_page, name="correct"),
    path("<int:pk>/delete/", desk.inquiry_delete_page, name="delete"),
]

# Desk statistics (issue 3): the page and its exports, in torg.inquiries.views_statistics.
from torg.inquiries import views_statistics  # noqa: E402

urlpatterns += [
    path("statistics/", views_statistics.statistics_page, name="statistics"),
    path("statistics/export.csv", views_statistics.statistics_export_csv, name="statistics-csv"),
    path("statistics/export.xlsx", views_statistics.statistics_export_xlsx, name="statistics-xlsx"),
]
