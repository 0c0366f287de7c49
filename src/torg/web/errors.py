"""Error responses: Torg's own pages for people, JSON for the API.

Django calls these for errors raised outside DRF's own handling (a URL that matches
nothing, a request body that is too large, an unexpected exception). Under ``/api/`` a
client gets ``{"detail": …}`` in JSON, like every other API error; elsewhere the
templates ``400.html``, ``403.html``, ``404.html`` and ``500.html``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent without a valid CSRF token (a page left open past
    the session, a cookie the browser dropped). Status 403 with Torg's own translated page
    saying what to do, instead of Django's unstyled English one; ``reason`` (Django's
    technical cause) is not shown. Under ``/api/`` the JSON ``{"detail": …}`` of the API."""
    if _is_api(request):
        return JsonResponse(
            {"detail": _("The request was refused: its CSRF token is missing or expired.")},
            status=403,
        )
    return render(request, "403_csrf.html", status=403)
