"""The project's URLs plus a stand-in ``referrals:create``, for the test that the desk page
links to it when the referrals app is installed."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from torg.urls import urlpatterns as project_urlpatterns


def _stand_in(request: HttpRequest, municipality: str) -> HttpResponse:
    return HttpResponse("referral form")


referral_patterns = ([path("new/", _stand_in, name="create")], "referrals")

urlpatterns = [
    path("m/<slug:municipality>/referrals/", include(referral_patterns)),
    *project_urlpatterns,
]
