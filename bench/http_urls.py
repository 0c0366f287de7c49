"""Torg's URLs plus ``/bench/no-content/`` (the baseline of bench/http_logging.py) and
``/bench/one-insert/`` (its second reference point)."""

import uuid

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from torg.urls import urlpatterns as torg_urlpatterns


@csrf_exempt
def no_content(request: HttpRequest) -> HttpResponse:
    """A bare view: 204, nothing read or written."""
    return HttpResponse(status=204)


@csrf_exempt
def one_insert(request: HttpRequest) -> HttpResponse:
    """A bare view that writes one row (a session row) in a transaction, then answers 204:
    the least any Django write path does, a second reference point for the logging rate."""
    with transaction.atomic():
        Session.objects.create(
            session_key=uuid.uuid4().hex, session_data="", expire_date=timezone.now()
        )
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/no-content/", no_content),
    path("bench/one-insert/", one_insert),
    *torg_urlpatterns,
]
