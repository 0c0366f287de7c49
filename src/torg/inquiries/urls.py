from django.urls import path

from torg.inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("", views.inquiry_list_page, name="list"),
    path("export.csv", views.inquiry_export, name="export"),
]
