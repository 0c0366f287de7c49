"""``/s/``: the public response form, outside any municipality (no login)."""

from django.urls import URLPattern, URLResolver, path

from torg.surveys import views_public

app_name = "surveys_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<uuid:public_id>/", views_public.answer, name="answer"),
    path("<uuid:public_id>/t/<str:token>/", views_public.answer_token, name="answer_token"),
    path("<uuid:public_id>/thanks/", views_public.thanks, name="thanks"),
]
