"""Torg's own error pages, which a newcomer sees when the site runs without DEBUG: plain,
translated, with a way back to the start page; the 500 page uses nothing that could fail
(no request, no database, no static files, no URL names)."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.template import engines, loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from torg.web import errors

pytestmark = pytest.mark.django_db


def test_the_404_page_is_torgs_own_and_does_not_say_whether_the_municipality_exists(
    municipality_x, outsider_y, client_for
):
    client = client_for(outsider_y)
    for path in ("/m/kommune-x/", "/m/no-such-place/", "/no/such/page/"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        html = response.content.decode()
        assert "<h1>Page not found</h1>" in html
        assert f'href="{reverse("web:home")}"' in html
        assert "Kommune X" not in html
    norwegian = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "<h1>Fant ikke siden</h1>" in norwegian and "Gå til startsiden" in norwegian


def test_the_403_page_says_the_role_does_not_give_access(
    municipality_x, site_a, desk_worker_x, client_for
):
    url = reverse("organisation:site_model_period_add", args=[municipality_x.slug, site_a.pk])
    response = client_for(desk_worker_x).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>No access</h1>" in html and "ask a manager" in html


def test_the_500_page_renders_without_a_request_or_context_processors():
    # What django.views.defaults.server_error does: the template with an empty context.
    with translation.override("nb"):
        html = loader.get_template("500.html").render()
    assert '<html lang="nb">' in html
    assert "<h1>Noe gikk galt</h1>" in html
    assert 'href="/"' in html
    assert "<script" not in html and "/static/" not in html
    engine = engines["django"].engine  # type: ignore[attr-defined]
    source = engine.find_template("500.html")[0].source
    plain = engine.find_template("_plain_page.html")[0].source
    for tag in ("{% url", "{% static", "{% csrf", "{{ request", "request.", "{{ user", "user."):
        assert tag not in source and tag not in plain, tag


def test_the_500_and_400_views_use_torgs_pages():
    request = RequestFactory().get("/")
    with translation.override("en"):
        server_error = defaults.server_error(request)
        bad_request = defaults.bad_request(request, SuspiciousOperation("bad"))
        not_found = defaults.page_not_found(request, Http404("x"))
    assert server_error.status_code == 500
    assert "Something went wrong" in server_error.content.decode()
    assert bad_request.status_code == 400
    assert "The request could not be used" in bad_request.content.decode()
    assert not_found.status_code == 404
    assert "Page not found" in not_found.content.decode()


def test_a_form_sent_without_a_valid_csrf_token_gets_torgs_page_with_status_403(
    desk_worker_x,
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk_worker_x)
    response = client.post(
        reverse("logout"), {"csrfmiddlewaretoken": "stale"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>The form had expired</h1>" in html
    assert "Go back, reload the page and try again." in html
    assert '<html lang="en">' in html
    assert "CSRF verification failed" not in html  # Django's own page
    assert f'href="{reverse("web:home")}"' in html


def test_the_api_answers_a_csrf_failure_in_json():
    request = RequestFactory().post("/api/v1/m/kommune-x/inquiries/")
    response = errors.csrf_failure(request, reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "CSRF" in response.content.decode()
