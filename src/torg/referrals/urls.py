from django.urls import path

from torg.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("referrals/new/", views.referral_create_page, name="create"),
    path("referrals/<int:pk>/accept/", views.referral_step, {"step": "accept"}, name="accept"),
    path(
        "referrals/<int:pk>/complete/", views.referral_step, {"step": "complete"}, name="complete"
    ),
    path("referrals/<int:pk>/decline/", views.referral_step, {"step": "decline"}, name="decline"),
    path("digital/<int:pk>/triage/", views.digital_step, {"step": "triage"}, name="triage"),
    path("digital/<int:pk>/assign/", views.digital_step, {"step": "assign"}, name="assign"),
    path("digital/<int:pk>/answer/", views.digital_step, {"step": "answer"}, name="answer"),
    path("digital/<int:pk>/close/", views.digital_step, {"step": "close"}, name="close"),
    path("teams/", views.team_list_page, name="teams"),
    path("teams/<int:pk>/", views.team_edit_page, name="team-edit"),
]
