from django.urls import path

from torg.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.site_list, name="sites"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/model-periods/add/", views.site_model_period_add, name="site_model_period_add"),
]
