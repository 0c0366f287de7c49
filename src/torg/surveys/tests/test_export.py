"""XLSX results (one sheet per section, suppression kept) and the raw anonymous responses."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from torg.surveys import services
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_wave(municipality_x, site_a):
    make_site(municipality_x, "Torget C")
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    wave, tokens = services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=12,
    )
    sites = [c["code"] for c in wave.own_items().get(code="site").choices]
    for i in range(12):
        services.response_submit(
            wave=wave,
            answers={
                "site": sites[0] if i < 10 else sites[1],
                "cost-cutting": 5 if i < 6 else 1,
                "library-reputation": -1 if i == 0 else 4,
                "comment": "=SUM(A1)" if i == 0 else f"ærlig talt {i}",
            },
            submission_key=uuid.uuid4(),
            token=tokens[i],
        )
    services.wave_set_status(wave=wave, status="closed")  # results come when it closes
    return wave, sites


def test_the_workbook_has_a_sheet_per_section_and_hides_small_groups(
    answered_wave, municipality_x, analyst_x, client_for
):
    wave, _sites = answered_wave
    url = reverse("surveys:results_xlsx", args=[municipality_x.slug, wave.pk])
    response = client_for(analyst_x).get(
        url, {"group_by": "site"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["About", "Co-organisation"]
    rows = list(book["Co-organisation"].iter_rows(values_only=True))
    header = rows[0]
    cost = [
        r for r in rows if r[0] == "Co-organisation and co-location are a cost-cutting measure."
    ]
    overall = dict(zip(header, cost[0], strict=False))
    assert overall["Answered"] == 12
    assert overall["Strongly agree (%)"] == 50.0 and overall["Strongly disagree (%)"] == 50.0
    assert overall["Agree (%)"] == 50.0
    by_group = {r[1]: r for r in cost[1:]}
    assert by_group["Torget C"][3] == "hidden (too few answers)"
    assert by_group["Torget A"][3] == "hidden (too few answers)"  # 12 - 10 would give C away
    reputation = next(r for r in rows if r[0] == "The library's reputation will suffer.")
    reputation_row = dict(zip(header, reputation, strict=False))
    assert reputation_row["Answered"] == 11 and reputation_row["Don't know"] == 1


def test_the_raw_responses_are_for_analysts_only_and_above_the_threshold(
    answered_wave, municipality_x, analyst_x, manager_x, outsider_y, client_for
):
    wave, _ = answered_wave
    url = reverse("surveys:responses_csv", args=[municipality_x.slug, wave.pk])
    assert client_for(manager_x).get(url).status_code == 403
    assert client_for(outsider_y).get(url).status_code == 404
    response = client_for(analyst_x).get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.strip("\ufeff").strip().split("\r\n")
    assert len(lines) == 13
    header = lines[0].split(";")
    assert "cost-cutting" in header and "comment" in header
    assert "'=SUM(A1)" in text  # no formula injection
    assert "ærlig talt 3" in text
    wave.survey.free_text_min_group = 20
    wave.survey.save()
    refused = client_for(analyst_x).get(url)
    assert refused.status_code == 302 and refused["Location"].endswith("/results/")
