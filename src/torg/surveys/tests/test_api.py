"""The surveys API: lists, results with suppression, 409 on a locked anonymity, tenancy."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from torg.surveys import services
from torg.surveys.models import Survey, Wave
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(municipality_x, site_a) -> tuple[Wave, list[str]]:
    make_site(municipality_x, "Torget C")
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    return services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=12,
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def base(municipality) -> str:
    return f"/api/v1/m/{municipality.slug}"


def patch(client: APIClient, url: str, data: dict):
    return client.patch(
        url,
        data,
        format="json",
        headers={"Idempotency-Key": str(uuid.uuid4()), "Accept-Language": "en"},
    )


def test_an_analyst_lists_surveys_and_waves(wave, municipality_x, analyst_x):
    the_wave, _ = wave
    client = api(analyst_x)
    surveys = client.get(f"{base(municipality_x)}/surveys/").json()
    assert [s["template_key"] for s in surveys["results"]] == ["employee-co-organisation"]
    waves = client.get(f"{base(municipality_x)}/survey-waves/").json()
    assert [w["id"] for w in waves["results"]] == [the_wave.pk]
    assert waves["results"][0]["anonymous"] is True


def test_anonymity_can_change_before_the_first_response_and_then_409(
    wave, municipality_x, manager_x
):
    the_wave, tokens = wave
    client = api(manager_x)
    url = f"{base(municipality_x)}/survey-waves/{the_wave.pk}/"
    assert patch(client, url, {"anonymous": False}).status_code == 200
    assert patch(client, url, {"anonymous": True}).status_code == 200
    services.response_submit(
        wave=the_wave, answers={"cost-cutting": 3}, submission_key=uuid.uuid4(), token=tokens[0]
    )
    refused = patch(client, url, {"anonymous": False})
    assert refused.status_code == 409
    assert refused.json()["code"] == "anonymity_locked"
    assert refused.json()["detail"] == (
        "Anonymity is fixed once the wave has a response; it cannot be changed."
    )
    the_wave.refresh_from_db()
    assert the_wave.anonymous is True


def test_an_analyst_may_not_change_anonymity(wave, municipality_x, analyst_x):
    the_wave, _ = wave
    url = f"{base(municipality_x)}/survey-waves/{the_wave.pk}/"
    assert patch(api(analyst_x), url, {"anonymous": False}).status_code == 403


def test_results_suppress_small_groups(wave, municipality_x, analyst_x):
    the_wave, tokens = wave
    sites = [c["code"] for c in the_wave.own_items().get(code="site").choices]
    for i in range(12):
        services.response_submit(
            wave=the_wave,
            answers={"site": sites[0] if i < 9 else sites[1], "cost-cutting": 5 if i % 2 else 2},
            submission_key=uuid.uuid4(),
            token=tokens[i],
        )
    url = f"{base(municipality_x)}/survey-waves/{the_wave.pk}/results/"
    pending = api(analyst_x).get(url, {"group_by": "site"})
    assert pending.status_code == 409 and pending.json()["code"] == "wave_open"
    services.wave_set_status(wave=the_wave, status="closed")  # results come when it closes
    data = api(analyst_x).get(url, {"group_by": "site"}).json()
    statement = next(s for s in data["statements"] if s["code"] == "cost-cutting")
    assert statement["overall"]["answered"] == 12
    assert statement["overall"]["agree"]["count"] == 6
    groups = {g["key"]: g for g in statement["groups"]}
    assert groups[sites[1]]["hidden"] is True and "percent" not in groups[sites[1]]
    # Site 0 (9 people) must be hidden too: 12 - 9 would reveal site 1's 3 people.
    assert groups[sites[0]]["hidden"] is True
    bad = api(analyst_x).get(url, {"group_by": "nonsense"})
    assert bad.status_code == 400


def test_another_municipality_gets_404_on_every_survey_endpoint(
    wave, municipality_x, outsider_y, municipality_y
):
    the_wave, _ = wave
    client = api(outsider_y)
    for path in (
        "surveys/",
        f"surveys/{the_wave.survey_id}/",
        "survey-waves/",
        f"survey-waves/{the_wave.pk}/",
        f"survey-waves/{the_wave.pk}/results/",
    ):
        assert client.get(f"{base(municipality_x)}/{path}").status_code == 404, path
    assert (
        patch(client, f"{base(municipality_x)}/survey-waves/{the_wave.pk}/", {}).status_code == 404
    )
    # Under the outsider's own municipality, X's wave does not exist.
    assert client.get(f"{base(municipality_y)}/survey-waves/{the_wave.pk}/").status_code == 404
    assert client.get(f"{base(municipality_y)}/surveys/").json()["results"] == []
    assert Survey.objects.count() == 1


def test_a_patch_applies_status_and_refuses_what_cannot_change(wave, municipality_x, manager_x):
    the_wave, _ = wave
    url = f"{base(municipality_x)}/survey-waves/{the_wave.pk}/"
    client = api(manager_x)
    refused = patch(client, url, {"min_group": 3})
    assert refused.status_code == 400
    assert refused.json()["code"] == "read_only" and refused.json()["fields"] == ["min_group"]
    assert "minimum group size belongs to the survey" in refused.json()["detail"]
    the_wave.survey.refresh_from_db()
    assert the_wave.survey.min_group == 5
    assert patch(client, url, {"status": "draft"}).status_code == 400
    closed = patch(client, url, {"status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    the_wave.refresh_from_db()
    assert the_wave.status == "closed"
