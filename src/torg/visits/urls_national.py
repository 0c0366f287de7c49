from django.urls import path

from torg.visits import views_national

app_name = "national"
urlpatterns = [
    path("", views_national.comparison, name="comparison"),
]
