"""Torg's URLs plus ``/bench/no-content/``: the baseline of bench/http_logging.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from torg.urls import urlpatterns as torg_urlpatterns


@csrf_exempt
def no_content(request: HttpRequest) -> HttpResponse:
    """A bare view: 204, nothing read or written."""
    return HttpResponse(status=204)


urlpatterns = [path("bench/no-content/", no_content), *torg_urlpatterns]
