from django.urls import path

from torg.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_municipality, name="switch"),
]
