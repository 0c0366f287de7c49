"""``/api/v1/``: one municipality's data under ``m/<slug:municipality>/``, the national
reference data under ``national/``. The schema is at ``/api/schema/`` and its browsable
documentation at ``/api/docs/`` (see ``torg.urls``)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from torg.api import statistics, views
from torg.referrals import api as referrals_api
from torg.surveys import api as surveys_api

app_name = "api"

tenant_router = SimpleRouter(use_regex_path=False)
tenant_router.register("sites", views.SiteViewSet, basename="site")
tenant_router.register("service-categories", views.ServiceCategoryViewSet, basename="category")
tenant_router.register("services", views.ServiceViewSet, basename="service")
tenant_router.register("inquiries", views.InquiryViewSet, basename="inquiry")
tenant_router.register("visit-counts", views.VisitCountViewSet, basename="visit-count")
tenant_router.register("events", views.EventViewSet, basename="event")
tenant_router.register("teams", referrals_api.TeamViewSet, basename="team")
tenant_router.register("referrals", referrals_api.ReferralViewSet, basename="referral")
tenant_router.register(
    "digital-inquiries", referrals_api.DigitalInquiryViewSet, basename="digital-inquiry"
)
tenant_router.register("surveys", surveys_api.SurveyViewSet, basename="survey")
tenant_router.register("survey-waves", surveys_api.WaveViewSet, basename="survey-wave")

national_router = SimpleRouter(use_regex_path=False)
national_router.register(
    "annual-statistics", views.AnnualLibraryStatisticsViewSet, basename="annual-statistics"
)

urlpatterns = [
    path("m/<slug:municipality>/", views.MunicipalityView.as_view(), name="municipality"),
    path("m/<slug:municipality>/", include(tenant_router.urls)),
    path(
        "m/<slug:municipality>/inquiry-statistics/",
        statistics.InquiryStatisticsView.as_view(),
        name="inquiry-statistics",
    ),
    path("national/", include(national_router.urls)),
]
