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


def _csv_rows(response) -> list[dict[str, str]]:
    import csv

    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_a_rare_combination_of_background_answers_is_not_in_the_raw_file(
    municipality_x, site_a, analyst_x, client_for
):
    """The attack: the one person at Torget C who works in both services as "other" must not
    be findable by those three answers (nor their comment tied to them)."""
    make_site(municipality_x, "Torget C")
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    wave, tokens = services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=13,
    )
    site_a_code, site_c_code = [c["code"] for c in wave.own_items().get(code="site").choices]
    people = (
        [(site_a_code, "library", "generalist")] * 6
        + [(site_a_code, "citizen_service", "generalist")] * 5
        + [(site_a_code, "library", "specialist")]
        + [(site_c_code, "both", "other")]
    )
    for i, (site, service, role) in enumerate(people):
        services.response_submit(
            wave=wave,
            answers={
                "site": site,
                "service": service,
                "role": role,
                "cost-cutting": 1 + i % 5,
                "comment": "Jeg er den eneste i Torget C" if site == site_c_code else "",
            },
            submission_key=uuid.uuid4(),
            token=tokens[i],
        )
    services.wave_set_status(wave=wave, status="closed")
    url = reverse("surveys:responses_csv", args=[municipality_x.slug, wave.pk])
    response = client_for(analyst_x).get(
        url, {"delimiter": "semicolon"}, headers={"Accept-Language": "en"}
    )
    rows = _csv_rows(response)
    assert len(rows) == 13
    background = ("municipality", "site", "service", "role", "co_location")
    columns = {code: next(h for h in rows[0] if h.split(" ")[0] == code) for code in background}
    combinations: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = tuple(row[columns[code]] for code in background)
        combinations[key] = combinations.get(key, 0) + 1
    assert min(combinations.values()) >= 5
    site_column, service_column, role_column = (columns[c] for c in ("site", "service", "role"))
    assert not any(row[site_column] == site_c_code for row in rows)
    assert not any((row[service_column], row[role_column]) == ("both", "other") for row in rows)
    # By hand (k = 5; municipality and co_location unanswered, so empty in every row): the
    # rare rows are (A, library, specialist) and (C, both, other). Suppressing any one column
    # in both leaves both rare, so the columns go from the left until both are (*, …, *):
    # 2 rows. No combination can spare 3 rows and keep 5 ((A, library, generalist) has 6),
    # so the smallest whole one, (A, citizen_service, generalist) ×5, is suppressed too.
    assert combinations == {("", site_a_code, "library", "generalist", ""): 6, ("*",) * 5: 7}
    assert "[* = hidden: fewer than 5 respondents share the combination]" in site_column
    # The comment is in the file (13 respondents, above the free-text threshold of 10), but
    # no longer tied to a site, service or role.
    lone = next(row for row in rows if row["comment"] == "Jeg er den eneste i Torget C")
    assert (lone[site_column], lone[service_column], lone[role_column]) == ("*", "*", "*")


def test_the_raw_export_leaves_out_free_text_below_the_free_text_threshold(answered_wave):
    from torg.surveys.export import raw_export

    wave, _ = answered_wave
    assert any("ærlig talt" in str(cell) for row in raw_export(wave).rows for cell in row)
    wave.survey.free_text_min_group = 13
    wave.survey.save()
    export = raw_export(wave)
    assert not export.free_text
    assert not any("ærlig talt" in str(cell) for row in export.rows for cell in row)
