from django.urls import path

from torg.web import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="index"),
]
