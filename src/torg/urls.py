"""URL map. Everything that belongs to a municipality lives under ``/m/<slug>/`` (pages)
or ``/api/v1/m/<slug>/`` (API); the slug is resolved by the one scoping helper."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

tenant_patterns = [
    path("", include("torg.web.urls_tenant")),
    path("sites/", include("torg.organisation.urls")),
    path("catalogue/", include("torg.catalogue.urls")),
    path("inquiries/", include("torg.inquiries.urls")),
    path("queue/", include("torg.referrals.urls")),
    path("visits/", include("torg.visits.urls")),
    path("imports/", include("torg.imports.urls")),
    path("surveys/", include("torg.surveys.urls")),
    path("rosters/", include("torg.rosters.urls")),
    path("evaluation/", include("torg.evaluation.urls")),
]

urlpatterns = [
    path("", include("torg.web.urls")),
    path("m/<slug:municipality>/", include(tenant_patterns)),
    path("national/", include("torg.visits.urls_national")),
    path("s/", include("torg.surveys.urls_public")),
    path("api/v1/", include("torg.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "torg.web.errors.bad_request"
handler403 = "torg.web.errors.permission_denied"
handler404 = "torg.web.errors.page_not_found"
handler500 = "torg.web.errors.server_error"
