"""The stored daily visit totals stay equal to a recomputation from the raw counts after
every kind of write: recording, correcting and deleting a count, converting counter
readings, importing (and an import rolled back as all-or-nothing), writes that bypass the
services (the ORM, a raw UPDATE) and a change of the site's zone or business-day start.

The recomputation here is independent of :mod:`torg.visits.totals`: it takes every row
through :func:`torg.lib.business_day.business_day_of` one at a time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from torg.imports.framework import ImportRefused, run_import
from torg.lib.business_day import business_day_of
from torg.organisation.models import Municipality, Role, Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import local, make_site
from torg.visits.models import (
    CounterReading,
    CountMethod,
    DoorCounter,
    VisitCount,
    VisitDayTotal,
    VisitTotalStale,
)
from torg.visits.series import SeriesUnit, monthly_totals, site_series
from torg.visits.services import (
    counter_readings_convert,
    visit_count_correct,
    visit_count_delete,
    visit_count_record,
)
from torg.visits.tests.test_counters import _readings
from torg.visits.totals import visit_totals_rebuild, visit_totals_refresh

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
TINY = dt.timedelta(microseconds=1)
Totals = dict[tuple[int, str, dt.date, dt.date], tuple[int, int, int]]


def recomputed() -> Totals:
    """Every site's totals by (site, entrance, business day of the start, business day
    of the last instant), computed row by row from the raw counts."""
    sums: dict[tuple[int, str, dt.date, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in VisitCount.objects.select_related("site"):
        site = row.site
        day = business_day_of(row.period_start, site.business_day_starts, site.time_zone)
        last = business_day_of(row.period_end - TINY, site.business_day_starts, site.time_zone)
        entry = sums[(site.pk, row.entrance, day, last)]
        entry[0] += row.count
        entry[1] += 1
        entry[2] += int(row.is_estimate)
    return {key: (v[0], v[1], v[2]) for key, v in sums.items()}


def stored() -> Totals:
    return {
        (r.site_id, r.entrance, r.day, r.last_day): (r.visits, r.counts, r.estimates)
        for r in VisitDayTotal.objects.all()
    }


def assert_in_step(*, marks_left: bool = False) -> None:
    """The stored rollup equals the recomputation. A service leaves no mark behind; a
    write that bypassed the services does until the next refresh, which then agrees."""
    # (Marks of sites that no longer exist, left by a flush of another test, are ignored.)
    marks = VisitTotalStale.objects.filter(site_id__in=Site.objects.values("id"))
    if not marks_left:
        assert not marks.exists()
        assert stored() == recomputed()
    else:
        assert marks.exists()
        visit_totals_refresh()
        assert not marks.exists()
        assert stored() == recomputed()


def _tenancy(municipality: Municipality) -> Tenancy:
    return Tenancy(municipality=municipality, role=Role.MANAGER)


def test_recording_correcting_and_deleting_counts_keep_the_totals(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    first = visit_count_record(
        tenancy=tenancy,
        user=manager_x,
        site=site_a,
        period_start=local(2024, 3, 4, 10),
        period_end=local(2024, 3, 4, 11),
        count=7,
    )
    visit_count_record(
        tenancy=tenancy,
        user=manager_x,
        site=site_a,
        period_start=local(2024, 3, 4, 11),
        period_end=local(2024, 3, 4, 12),
        count=0,
        entrance="Nord",
    )
    weekly = visit_count_record(
        tenancy=tenancy,
        user=manager_x,
        site=site_a,
        period_start=local(2024, 3, 4, 0),
        period_end=local(2024, 3, 11, 0),
        count=400,
        entrance="Sør",
    )
    assert_in_step()
    key = (site_a.pk, "", dt.date(2024, 3, 4), dt.date(2024, 3, 4))
    assert stored()[key] == (7, 1, 0)
    # The weekly count ends on 10 March (its last instant), not on the 11th.
    assert stored()[(site_a.pk, "Sør", dt.date(2024, 3, 4), dt.date(2024, 3, 10))] == (400, 1, 0)
    visit_count_correct(
        tenancy=tenancy,
        user=manager_x,
        visit_count=first,
        changes={"count": 9, "is_estimate": True, "estimate_reason": "Counter reset"},
    )
    assert_in_step()
    assert stored()[key] == (9, 1, 1)
    visit_count_delete(tenancy=tenancy, user=manager_x, visit_count=first)
    assert_in_step()
    assert key not in stored()  # missing again, not 0
    visit_count_delete(tenancy=tenancy, user=manager_x, visit_count=weekly)
    assert_in_step()
    # The zero of the north door stays an observed zero.
    assert stored() == {(site_a.pk, "Nord", dt.date(2024, 3, 4), dt.date(2024, 3, 4)): (0, 1, 0)}


def test_converting_counter_readings_keeps_the_totals(site_a) -> None:
    counter = DoorCounter.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        entrance="Main door",
        direction="bidirectional",
        modulus=1_000_000,
    )
    CounterReading.objects.bulk_create(
        CounterReading(
            municipality=site_a.municipality, counter=counter, read_at=r.read_at, value=r.value
        )
        for r in _readings()
    )
    counter_readings_convert(tenancy=_tenancy(site_a.municipality), counter=counter)
    assert_in_step()
    assert sum(v[0] for v in stored().values()) == 2 + 9 + 14 + 0 + 3


def _csv(tmp_path: Path, name: str, rows: list[tuple[str, str, int]]) -> Path:
    path = tmp_path / name
    lines = ["site;period_start;period_end;visits"]
    lines += [f"Torget A;{start};{end};{count}" for start, end, count in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: The 25 hours of business day 27 October 2024 in Oslo (the clocks go back), in UTC.
_NIGHT = dt.datetime(2024, 10, 26, 22, tzinfo=dt.UTC)
HOURS = [
    ((_NIGHT + HOUR * h).isoformat(), (_NIGHT + HOUR * (h + 1)).isoformat(), h) for h in range(25)
]


def test_an_import_and_a_changed_reimport_keep_the_totals(site_a, tmp_path) -> None:
    run_import("visit-counts", _csv(tmp_path, "a.csv", HOURS), municipality="kommune-x")
    assert_in_step()
    changed = [(start, end, count * 2 + 1) for start, end, count in HOURS[:5]]
    result = run_import("visit-counts", _csv(tmp_path, "b.csv", changed), municipality="kommune-x")
    assert result.updated == 5
    assert_in_step()


def test_an_import_rolled_back_leaves_neither_counts_nor_totals(
    site_a, tmp_path, monkeypatch
) -> None:
    run_import("visit-counts", _csv(tmp_path, "a.csv", HOURS[:3]), municipality="kommune-x")
    before = stored()
    assert before
    more = [(start, end, 100 + count) for start, end, count in HOURS]
    run_import(
        "visit-counts", _csv(tmp_path, "dry.csv", more), municipality="kommune-x", dry_run=True
    )
    assert stored() == before
    assert_in_step()

    from torg.imports.framework import run as framework

    real = framework._refresh_derived

    def refresh_then_fail(writer: Any, target: Any) -> None:
        real(writer, target)  # the totals are written, then the import fails
        raise DatabaseError("disk full")

    monkeypatch.setattr(framework, "_refresh_derived", refresh_then_fail)
    with pytest.raises(ImportRefused):
        run_import("visit-counts", _csv(tmp_path, "b.csv", more), municipality="kommune-x")
    assert VisitCount.objects.count() == 3
    assert stored() == before
    assert_in_step()


def test_writes_around_the_services_are_marked_and_caught_up(site_a) -> None:
    rows = [
        VisitCount(
            municipality=site_a.municipality,
            site=site_a,
            period_start=local(2024, 3, 31, 0).astimezone(dt.UTC) + HOUR * i,
            period_end=local(2024, 3, 31, 0).astimezone(dt.UTC) + HOUR * (i + 1),
            count=i,
            method=CountMethod.AUTOMATIC,
        )
        for i in range(30)
    ]
    VisitCount.objects.bulk_create(rows)
    assert_in_step(marks_left=True)
    VisitCount.objects.filter(count__lt=5).update(count=50)
    assert_in_step(marks_left=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_visitcount SET is_estimate = %s, estimate_reason = 'x'", [True]
        )
    assert_in_step(marks_left=True)
    VisitCount.objects.filter(count__gt=20).delete()
    assert_in_step(marks_left=True)


def test_a_new_business_day_start_or_zone_moves_the_counts_to_their_new_days(
    municipality_x: Municipality,
) -> None:
    site = make_site(municipality_x, "Nattåpent")
    VisitCount.objects.bulk_create(
        VisitCount(
            municipality=municipality_x,
            site=site,
            period_start=local(2024, 3, 5, 0).astimezone(dt.UTC) + HOUR * i,
            period_end=local(2024, 3, 5, 0).astimezone(dt.UTC) + HOUR * (i + 1),
            count=1,
            method=CountMethod.AUTOMATIC,
        )
        for i in range(48)
    )
    assert_in_step(marks_left=True)
    assert stored()[(site.pk, "", dt.date(2024, 3, 5), dt.date(2024, 3, 5))] == (24, 24, 0)
    site.business_day_starts = dt.time(3)
    site.save()
    assert_in_step(marks_left=True)
    assert stored()[(site.pk, "", dt.date(2024, 3, 4), dt.date(2024, 3, 4))] == (3, 3, 0)
    Site.objects.filter(pk=site.pk).update(time_zone="America/Chicago")
    assert_in_step(marks_left=True)


def test_monthly_totals_read_the_totals_and_agree_with_the_month_view(site_a) -> None:
    VisitCount.objects.bulk_create(
        VisitCount(
            municipality=site_a.municipality,
            site=site_a,
            period_start=local(2024, 10, 31, 20).astimezone(dt.UTC) + HOUR * i,
            period_end=local(2024, 10, 31, 20).astimezone(dt.UTC) + HOUR * (i + 1),
            count=i,
            method=CountMethod.AUTOMATIC,
        )
        for i in range(8)
    )
    # A monthly count that spans the whole of October is in October; one that runs into
    # November is in no month.
    VisitCount.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        entrance="Sør",
        period_start=local(2024, 10, 1, 0),
        period_end=local(2024, 11, 1, 0),
        count=1000,
        method=CountMethod.REPORTED,
    )
    VisitCount.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        entrance="Nord",
        period_start=local(2024, 10, 15, 0),
        period_end=local(2024, 11, 15, 0),
        count=5000,
        method=CountMethod.REPORTED,
    )
    totals = monthly_totals(
        site_a.municipality, first_month=dt.date(2024, 10, 1), last_month=dt.date(2024, 11, 1)
    )
    view = site_series(
        site_a,
        site_a,
        unit=SeriesUnit.MONTH,
        first_day=dt.date(2024, 10, 1),
        last_day=dt.date(2024, 11, 30),
    )
    assert totals[site_a.pk] == {slot.day: slot.visits for slot in view.slots}
    assert totals[site_a.pk] == {
        dt.date(2024, 10, 1): 1000 + 0 + 1 + 2 + 3,
        dt.date(2024, 11, 1): 4 + 5 + 6 + 7,
    }


def test_the_rebuild_command_recomputes_and_reports(site_a) -> None:
    VisitCount.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        period_start=local(2024, 3, 4, 10),
        period_end=local(2024, 3, 4, 11),
        count=3,
        method=CountMethod.MANUAL,
    )
    VisitDayTotal.objects.all().delete()
    VisitTotalStale.objects.all().delete()  # as if the triggers had been bypassed
    out = StringIO()
    call_command("rebuild_visit_totals", "--municipality", "kommune-x", "--dry-run", stdout=out)
    assert "1 differ" in out.getvalue()
    assert not VisitDayTotal.objects.exists()
    call_command("rebuild_visit_totals", stdout=out)
    assert stored() == recomputed()
    assert visit_totals_rebuild().days == 1


def test_the_rebuild_command_refuses_an_unknown_municipality() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("rebuild_visit_totals", "--municipality", "nowhere")
    assert error.value.returncode == 2
