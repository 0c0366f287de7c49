"""The issue's acceptance flow through the pages and the API, with Django's test client: a
project leader creates the employee survey from the template, opens a wave with invitation
codes, ten employees answer (one of them submits twice), anonymity cannot be turned off, and
the results hide the small groups."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from torg.surveys import services
from torg.surveys.models import Response, Survey, Wave
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db
ENGLISH = {"Accept-Language": "en"}


def test_the_project_leader_runs_an_employee_survey_end_to_end(
    municipality_x, site_a, manager_x, analyst_x, client_for
):
    make_site(municipality_x, "Torget C")
    leader = client_for(manager_x)
    slug = municipality_x.slug
    created = leader.post(
        reverse("surveys:create", args=[slug]),
        {
            "template_key": "employee-co-organisation",
            "min_group": "5",
            "free_text_min_group": "10",
            "agree_levels": "2",
        },
    )
    assert created.status_code == 302
    survey = Survey.objects.get(municipality=municipality_x)
    codes_csv = leader.post(
        reverse("surveys:wave_open", args=[slug, survey.pk]),
        {
            "starts_on": "2022-12-01",
            "ends_on": "2023-01-31",
            "anonymous": "on",
            "token_count": "10",
            "format": "csv",
        },
    )
    rows = list(csv.reader(io.StringIO(codes_csv.content.decode("utf-8-sig"))))[1:]
    assert len(rows) == 10
    wave = Wave.objects.get(survey=survey)
    site_codes = [c["code"] for c in wave.own_items().get(code="site").choices]

    for i, (_code, link) in enumerate(rows):
        employee = Client()
        path = link.replace("http://testserver", "")
        form = employee.get(path).content.decode()
        key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', form)
        assert key
        answers = {
            "submission_key": key.group(1),
            "action": "submit",
            # Eight at site A, two at site C: site C is too small to show.
            "item-site": site_codes[0] if i < 8 else site_codes[1],
            "item-library-free-role": "4" if i < 6 else "2",
            "item-attractive-workplace": "5" if i < 2 else "1",
        }
        assert employee.post(path, answers).status_code == 302
        if i == 3:  # a double click: the same form sent again
            assert employee.post(path, answers).status_code == 302
    assert Response.objects.filter(wave=wave).count() == 10

    # Anonymity can no longer be turned off: the page and the API both refuse with 409.
    settings_url = reverse("surveys:wave_settings", args=[slug, wave.pk])
    assert leader.post(settings_url, {"status": "open"}).status_code == 409
    api = APIClient()
    api.force_authenticate(manager_x)
    refused = api.patch(
        f"/api/v1/m/{slug}/survey-waves/{wave.pk}/",
        {"anonymous": False},
        format="json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert refused.status_code == 409
    wave.refresh_from_db()
    assert wave.anonymous

    pending = client_for(analyst_x).get(
        reverse("surveys:results", args=[slug, wave.pk]), headers=ENGLISH
    )
    # An anonymous wave shows its results once it has closed.
    assert "shown when the wave has closed" in pending.content.decode()
    services.wave_set_status(wave=wave, status="closed")
    results = client_for(analyst_x).get(
        reverse("surveys:results", args=[slug, wave.pk]), {"group_by": "site"}, headers=ENGLISH
    )
    html = results.content.decode()
    assert results.status_code == 200
    assert "10 respondents" in html
    assert "hidden (too few answers)" in html
    # Share who agree with "the library's independent role is challenged": 6 of 10.
    assert "60.0%" in html
