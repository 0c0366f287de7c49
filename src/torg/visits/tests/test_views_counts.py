"""A site manager records a week of counts through the pages, finds them on the site's
visits page and in its CSV (missing as empty cells, zero as 0), corrects one with an
audit trail and deletes one; other roles and municipalities are kept out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from torg.visits.models import CountChangeAction, VisitCount, VisitCountChange, ZoneHeadCount

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
WEEK = [dt.date(2024, 3, 25) + dt.timedelta(days=i) for i in range(7)]
# Visits entered for 10:00–11:00 each day; None: not recorded (missing); 0: nobody came.
ENTERED = [12, 0, 7, None, 30, 4, 9]


def _record(client, site, day: dt.date, hour: int, count: int, slug=None, **extra):
    data = {
        "site": site.pk,
        "entrance": "",
        "day": day.isoformat(),
        "length": "hour",
        "hour": str(hour),
        "count": str(count),
        "method": "manual",
        **extra,
    }
    return client.post(
        reverse("visits:count_new", args=[slug or site.municipality.slug]), data, **ENGLISH
    )


@pytest.fixture
def recorded_week(manager_x, site_a, client_for):
    client = client_for(manager_x)
    for day, count in zip(WEEK, ENTERED, strict=True):
        if count is not None:
            response = _record(client, site_a, day, 10, count)
            assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_a_manager_records_a_week_and_finds_it_per_day_and_in_the_csv(
    recorded_week, site_a
) -> None:
    assert VisitCount.objects.filter(site=site_a).count() == 6
    assert VisitCountChange.objects.filter(action=CountChangeAction.CREATE).count() == 6
    query = {"unit": "day", "date_from": "2024-03-25", "date_to": "2024-03-31"}
    page = recorded_week.get(
        reverse("visits:site", args=[site_a.municipality.slug, site_a.pk]), query, **ENGLISH
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "62 visits at" in html  # 12 + 0 + 7 + 30 + 4 + 9
    assert "6 of 7 periods have a count, 1 have none" in html
    export = recorded_week.get(
        reverse("visits:site_export", args=[site_a.municipality.slug, site_a.pk]),
        {**query, "delimiter": "comma"},
        **ENGLISH,
    )
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["Visits"] for row in rows] == ["12", "0", "7", "", "30", "4", "9"]
    assert [row["Missing (no count)"] for row in rows] == ["no"] * 3 + ["yes"] + ["no"] * 3
    assert rows[0]["Period start"] == "2024-03-25T00:00:00+01:00"
    assert rows[-1]["Period start"] == "2024-03-31T00:00:00+01:00"
    assert rows[-1]["Period end (not included)"] == "2024-04-01T00:00:00+02:00"


def test_the_hourly_view_of_the_spring_night_has_23_rows_and_no_02_00(
    recorded_week, site_a
) -> None:
    response = _record(recorded_week, site_a, dt.date(2024, 3, 31), 2, 5)
    assert response.status_code == 400
    assert "does not exist" in response.content.decode()
    export = recorded_week.get(
        reverse("visits:site_export", args=[site_a.municipality.slug, site_a.pk]),
        {"unit": "hour", "date_from": "2024-03-31", "date_to": "2024-03-31", "delimiter": "comma"},
        **ENGLISH,
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 23
    assert [r["Period start"][11:16] for r in rows[:3]] == ["00:00", "01:00", "03:00"]
    assert [r["Visits"] for r in rows if r["Visits"]] == ["9"]


def test_a_correction_through_the_page_is_in_the_audit_trail(
    recorded_week, site_a, manager_x
) -> None:
    row = VisitCount.objects.get(site=site_a, count=30)
    page = reverse("visits:count_edit", args=[site_a.municipality.slug, row.pk])
    refused = recorded_week.post(
        page, {"count": "31", "method": "manual", "is_estimate": "on"}, **ENGLISH
    )
    assert refused.status_code == 400
    response = recorded_week.post(
        page,
        {"count": "31", "method": "manual", "is_estimate": "on", "estimate_reason": "Late sheet"},
        **ENGLISH,
    )
    assert response.status_code == 302
    change = VisitCountChange.objects.get(action=CountChangeAction.UPDATE)
    assert change.changed_by == manager_x
    assert change.before["count"] == 30 and change.after["count"] == 31
    html = recorded_week.get(page, **ENGLISH).content.decode()
    assert "Corrected" in html and "Late sheet" in html
    delete = reverse("visits:count_delete", args=[site_a.municipality.slug, row.pk])
    assert recorded_week.get(delete, **ENGLISH).status_code == 200
    assert recorded_week.post(delete, **ENGLISH).status_code == 302
    assert not VisitCount.objects.filter(pk=row.pk).exists()
    assert VisitCountChange.objects.filter(action=CountChangeAction.DELETE).count() == 1


def test_other_roles_and_municipalities_are_kept_out(
    recorded_week, site_a, analyst_x, outsider_y, client_for
) -> None:
    row = VisitCount.objects.filter(site=site_a).earliest("period_start")
    slug = site_a.municipality.slug
    analyst = client_for(analyst_x)
    assert analyst.get(reverse("visits:count_new", args=[slug])).status_code == 403
    assert analyst.get(reverse("visits:site", args=[slug, site_a.pk])).status_code == 200
    outsider = client_for(outsider_y)
    for name, args in [
        ("visits:site", [slug, site_a.pk]),
        ("visits:site_export", [slug, site_a.pk]),
        ("visits:count_new", [slug]),
        ("visits:count_edit", [slug, row.pk]),
        ("visits:count_delete", [slug, row.pk]),
    ]:
        assert outsider.get(reverse(name, args=args)).status_code == 404, name


def test_a_site_of_another_municipality_is_not_found_in_ones_own_urls(
    recorded_week, site_a, site_b
) -> None:
    response = recorded_week.get(reverse("visits:site", args=[site_a.municipality.slug, site_b.pk]))
    assert response.status_code == 404
    refused = _record(recorded_week, site_b, WEEK[0], 9, 1, slug=site_a.municipality.slug)
    assert refused.status_code == 400
    assert not VisitCount.objects.filter(site=site_b).exists()


def test_the_hourly_view_has_a_weekday_and_hour_table_with_missing_hours_apart(
    recorded_week, site_a
):
    page = recorded_week.get(
        reverse("visits:site", args=[site_a.municipality.slug, site_a.pk]),
        {"unit": "hour", "date_from": "2024-03-25", "date_to": "2024-03-31"},
        **ENGLISH,
    )
    html = page.content.decode()
    assert "By weekday and hour" in html
    # Monday 10:00 has 12 visits in one observed hour; Thursday 10:00 was not recorded.
    assert re.search(
        r"Monday</th><td>10:00</td><td class=\"num\">12</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">12.0",
        html,
    )
    assert re.search(
        r"Thursday</th><td>10:00</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td>",
        html,
    )


def test_the_monthly_view_compares_each_month_with_the_same_month_last_year(
    recorded_week, site_a, manager_x
):
    VisitCount.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        period_start=dt.datetime(2023, 3, 1, tzinfo=site_a.zone),
        period_end=dt.datetime(2023, 4, 1, tzinfo=site_a.zone),
        count=500,
        method="reported",
    )
    query = {"unit": "month", "date_from": "2024-02-01", "date_to": "2024-03-31"}
    url = reverse("visits:site", args=[site_a.municipality.slug, site_a.pk])
    html = recorded_week.get(url, query, **ENGLISH).content.decode()
    assert "By month against the same month last year" in html
    export = recorded_week.get(
        reverse("visits:site_export", args=[site_a.municipality.slug, site_a.pk]),
        {**query, "delimiter": "comma"},
        **ENGLISH,
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [(r["Visits"], r["Same month last year"]) for r in rows] == [("", ""), ("62", "500")]


def test_a_manager_records_a_sweep_and_an_empty_zone_is_zero_not_missing(
    manager_x, site_a, client_for
):
    client = client_for(manager_x)
    page = reverse("visits:sweep_new", args=[site_a.municipality.slug])
    data = {
        "site": site_a.pk,
        "day": "2024-03-05",
        "time": "11:00",
        "zone_1": "Reading room",
        "service_1": "library",
        "count_1": "7",
        "zone_2": "Desk",
        "service_2": "citizen_service",
        "count_2": "0",
    }
    assert client.post(page, data, **ENGLISH).status_code == 302
    rows = dict(ZoneHeadCount.objects.values_list("zone", "count"))
    assert rows == {"Reading room": 7, "Desk": 0}
    refused = client.post(page, {**data, "zone_1": "", "zone_2": ""}, **ENGLISH)
    assert refused.status_code == 400
    assert "Name the zone you counted." in refused.content.decode()
    assert ZoneHeadCount.objects.count() == 2


def test_a_sweep_is_for_managers_of_the_municipality(desk_worker_x, outsider_y, site_a, client_for):
    page = reverse("visits:sweep_new", args=[site_a.municipality.slug])
    assert client_for(desk_worker_x).get(page).status_code == 403
    assert client_for(outsider_y).get(page).status_code == 404


def test_the_visits_list_leads_a_manager_to_every_new_page(recorded_week, site_a):
    slug = site_a.municipality.slug
    html = recorded_week.get(reverse("visits:list", args=[slug]), **ENGLISH).content.decode()
    for name in ("national_form", "attribution", "count_new", "sweep_new"):
        assert reverse(f"visits:{name}", args=[slug]) in html, name
    assert reverse("visits:site", args=[slug, site_a.pk]) in html
