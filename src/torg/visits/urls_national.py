from django.urls import URLPattern, URLResolver

app_name = "national"
urlpatterns: list[URLPattern | URLResolver] = []
