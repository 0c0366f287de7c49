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
