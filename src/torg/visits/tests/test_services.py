"""Recording, correcting and deleting visit counts keeps an audit trail; counter readings
become counts with gaps left missing; zone sweeps are all-or-nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from torg.organisation.models import Municipality, Role, Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import local, make_site
from torg.visits.models import (
    CountChangeAction,
    CounterReading,
    CountMethod,
    DoorCounter,
    VisitCount,
    VisitCountChange,
    ZoneHeadCount,
    ZoneService,
)
from torg.visits.services import (
    counter_readings_convert,
    visit_count_correct,
    visit_count_delete,
    visit_count_record,
    zone_sweep_record,
)
from torg.visits.tests.test_counters import _readings

NOW = dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC)


def _tenancy(municipality: Municipality, role: str = Role.MANAGER) -> Tenancy:
    return Tenancy(municipality=municipality, role=role)


def _record(tenancy: Tenancy, user, site: Site, **kwargs) -> VisitCount:
    values: dict[str, Any] = {
        "period_start": local(2024, 3, 4, 10),
        "period_end": local(2024, 3, 4, 11),
        "count": 0,
        "method": CountMethod.MANUAL,
    }
    values.update(kwargs)
    return visit_count_record(tenancy=tenancy, user=user, site=site, now=NOW, **values)


def test_a_zero_count_is_stored_and_audited_as_a_recording(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    row = _record(tenancy, manager_x, site_a, count=0)
    assert VisitCount.objects.get(pk=row.pk).count == 0
    change = VisitCountChange.objects.get(visit_count=row)
    assert change.action == CountChangeAction.CREATE
    assert change.changed_by == manager_x
    assert change.after["count"] == 0
    assert change.after["period_start"] == "2024-03-04T09:00:00+00:00"


def test_a_correction_keeps_who_when_and_old_and_new_values(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    row = _record(tenancy, manager_x, site_a, count=12)
    later = NOW + dt.timedelta(days=1)
    visit_count_correct(
        tenancy=tenancy,
        user=manager_x,
        visit_count=row,
        changes={"count": 15, "is_estimate": True, "estimate_reason": "Counter off 10–11"},
        now=later,
    )
    change = VisitCountChange.objects.filter(action=CountChangeAction.UPDATE).get()
    assert change.changed_at == later
    assert change.before == {"count": 12, "is_estimate": False, "estimate_reason": ""}
    assert change.after == {
        "count": 15,
        "is_estimate": True,
        "estimate_reason": "Counter off 10–11",
    }
    # The same values again change nothing and write no audit row.
    visit_count_correct(tenancy=tenancy, user=manager_x, visit_count=row, changes={"count": 15})
    assert VisitCountChange.objects.filter(action=CountChangeAction.UPDATE).count() == 1


def test_an_estimate_needs_a_reason(manager_x, site_a) -> None:
    with pytest.raises(ValidationError) as error:
        _record(_tenancy(site_a.municipality), manager_x, site_a, count=5, is_estimate=True)
    assert "estimate_reason" in error.value.message_dict
    assert not VisitCount.objects.exists()


def test_deleting_a_count_makes_the_period_missing_and_keeps_a_snapshot(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    row = _record(tenancy, manager_x, site_a, count=7)
    number = visit_count_delete(tenancy=tenancy, user=manager_x, visit_count=row, now=NOW)
    assert not VisitCount.objects.exists()
    change = VisitCountChange.objects.get(action=CountChangeAction.DELETE)
    assert change.visit_count_number == number
    assert change.before["count"] == 7


def test_a_second_count_for_the_same_period_is_refused(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    _record(tenancy, manager_x, site_a, count=3)
    with pytest.raises(ValidationError):
        _record(tenancy, manager_x, site_a, count=4)
    assert VisitCountChange.objects.count() == 1


def test_desk_staff_and_other_municipalities_cannot_record(manager_x, site_a, site_b) -> None:
    with pytest.raises(PermissionDenied):
        _record(_tenancy(site_a.municipality, Role.DESK_STAFF), manager_x, site_a)
    with pytest.raises(ValidationError):
        _record(_tenancy(site_a.municipality), manager_x, site_b)
    other = _record(_tenancy(site_b.municipality), manager_x, site_b)
    with pytest.raises(PermissionDenied):
        visit_count_delete(tenancy=_tenancy(site_a.municipality), user=manager_x, visit_count=other)


def test_counter_readings_become_counts_and_gaps_stay_missing(site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
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
    result = counter_readings_convert(tenancy=tenancy, counter=counter)
    assert result.created == 5
    assert len(result.gaps) == 2
    stored = VisitCount.objects.filter(site=site_a, entrance="Main door").order_by("period_start")
    assert [c.count for c in stored] == [2, 9, 14, 0, 3]
    assert all(c.method == CountMethod.AUTOMATIC for c in stored)
    # 10:00–12:00 and 14:00–15:00 UTC have no count at all (missing, not 0).
    starts = {c.period_start.astimezone(dt.UTC).hour for c in stored}
    assert starts == {7, 8, 9, 12, 13}
    again = counter_readings_convert(tenancy=tenancy, counter=counter)
    assert (again.created, again.existing) == (0, 5)


def test_a_sweep_records_every_zone_or_none(manager_x, site_a) -> None:
    tenancy = _tenancy(site_a.municipality)
    at = local(2024, 3, 4, 11)
    zone_sweep_record(
        tenancy=tenancy,
        user=manager_x,
        site=site_a,
        sweep_at=at,
        counts={"Children": (ZoneService.LIBRARY, 4), "Desk": (ZoneService.CITIZEN_SERVICE, 0)},
    )
    assert ZoneHeadCount.objects.filter(site=site_a, count=0, zone="Desk").exists()
    with pytest.raises(ValidationError):
        zone_sweep_record(
            tenancy=tenancy,
            user=manager_x,
            site=site_a,
            sweep_at=at,
            counts={"Reading room": (ZoneService.LIBRARY, 2), "Desk": (ZoneService.LIBRARY, 1)},
        )
    assert ZoneHeadCount.objects.count() == 2
    with pytest.raises(ValidationError):
        zone_sweep_record(
            tenancy=tenancy,
            user=manager_x,
            site=make_site(site_a.municipality, "Filial"),
            sweep_at=at,
            counts={"Desk": (ZoneService.LIBRARY, -1)},
        )
