"""Attribution of a shared entrance: the Wilson band against awk's figures
(``reference/wilson.awk`` → ``wilson_expected.txt``), and the three methods end to end
with the figure stored with its method, band and the days without a count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.organisation.models import Role, Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import local
from torg.visits.attribution import attribute_fixed, attribute_sampled, wilson_interval
from torg.visits.models import AttributedVisits, AttributionMethod, CountMethod, VisitCount
from torg.visits.services import attribution_compute, attribution_set, zone_sweep_record

EXPECTED = Path(__file__).parent / "reference" / "wilson_expected.txt"
MARCH = (dt.date(2024, 3, 4), dt.date(2024, 3, 10))


def _cases() -> list[list[str]]:
    return [line.split() for line in EXPECTED.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: "-".join(c[:3]))
def test_the_wilson_band_and_figures_match_the_awk_reference(case: list[str]) -> None:
    library, other, door = (int(v) for v in case[:3])
    share, low, high = (float(v) for v in case[3:6])
    point, band_low, band_high = (int(v) for v in case[6:9])
    assert wilson_interval(library, library + other) == pytest.approx((low, high), abs=1e-9)
    result = attribute_sampled("inquiry_share", door, library, other)
    assert result.share == pytest.approx(share)
    assert (result.library_visits, result.library_low, result.library_high) == (
        point,
        band_low,
        band_high,
    )
    assert result.sample_size == library + other


def test_a_fixed_share_has_no_sampling_band_and_an_empty_sample_no_share() -> None:
    fixed = attribute_fixed(2001, 0.4)
    assert (fixed.library_visits, fixed.library_low, fixed.library_high) == (800, 800, 800)
    assert fixed.sample_size is None
    with pytest.raises(ValueError, match="empty"):
        attribute_sampled("zone_sample", 100, 0, 0)


def _door_week(site: Site, per_day: list[int | None]) -> None:
    for offset, count in enumerate(per_day):
        if count is None:
            continue
        day = MARCH[0] + dt.timedelta(days=offset)
        VisitCount.objects.create(
            municipality=site.municipality,
            site=site,
            period_start=local(day.year, day.month, day.day),
            period_end=local(day.year, day.month, day.day) + dt.timedelta(days=1),
            count=count,
            method=CountMethod.AUTOMATIC,
        )


@pytest.fixture
def manager_tenancy(site_a: Site) -> Tenancy:
    return Tenancy(municipality=site_a.municipality, role=Role.MANAGER)


def test_a_fixed_share_is_stored_with_its_method(site_a: Site, manager_tenancy: Tenancy) -> None:
    _door_week(site_a, [100, 200, 0, None, 300, 150, 250])  # 1,000; one day missing
    attribution_set(
        tenancy=manager_tenancy,
        site=site_a,
        method=AttributionMethod.FIXED_SHARE,
        valid_from=dt.date(2024, 1, 1),
        library_share=Decimal("0.65"),
    )
    stored = attribution_compute(
        tenancy=manager_tenancy, site=site_a, first_day=MARCH[0], last_day=MARCH[1]
    )
    assert (stored.method, stored.door_visits, stored.library_visits) == ("fixed_share", 1000, 650)
    assert (stored.library_low, stored.library_high, stored.missing_periods) == (650, 650, 1)


def test_the_inquiry_share_uses_library_against_municipal_inquiries(
    site_a: Site, manager_tenancy: Tenancy
) -> None:
    _door_week(site_a, [1000, 1000, 1000, 1000, 1000, 0, 0])  # 5,000
    domains = ["library"] * 62 + ["municipal"] * 38 + ["shared"] * 5 + ["unknown"] * 3
    for index, domain in enumerate(domains):
        Inquiry.objects.create(
            municipality=site_a.municipality,
            site=site_a,
            occurred_at=local(2024, 3, 5, 10) + dt.timedelta(minutes=index),
            channel=Channel.IN_PERSON,
            outcome=Outcome.RESOLVED,
            domain=domain,
        )
    # An inquiry the day after the range is left out.
    Inquiry.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        occurred_at=local(2024, 3, 11, 0, 30),
        channel=Channel.IN_PERSON,
        outcome=Outcome.RESOLVED,
        domain="library",
    )
    attribution_set(
        tenancy=manager_tenancy,
        site=site_a,
        method=AttributionMethod.INQUIRY_SHARE,
        valid_from=MARCH[0],
        valid_to=MARCH[1],
    )
    stored = attribution_compute(
        tenancy=manager_tenancy, site=site_a, first_day=MARCH[0], last_day=MARCH[1]
    )
    # 62 of 100: the first line of wilson_expected.txt.
    assert (stored.library_visits, stored.library_low, stored.library_high) == (3100, 2610, 3546)
    assert stored.sample_size == 100
    assert AttributedVisits.objects.count() == 1


def test_sampled_head_counts_by_zone_give_the_share(
    site_a: Site, manager_tenancy: Tenancy, manager_x: object
) -> None:
    _door_week(site_a, [10, None, None, None, None, None, None])
    for hour, (library, desk) in zip((11, 14), ((4, 1), (3, 2)), strict=True):
        zone_sweep_record(
            tenancy=manager_tenancy,
            user=manager_x,  # type: ignore[arg-type]
            site=site_a,
            sweep_at=local(2024, 3, 4, hour),
            counts={
                "Reading room": ("library", library),
                "Desk": ("citizen_service", desk),
                "Café": ("shared", 9),
            },
        )
    attribution_set(
        tenancy=manager_tenancy,
        site=site_a,
        method=AttributionMethod.ZONE_SAMPLE,
        valid_from=MARCH[0],
    )
    stored = attribution_compute(
        tenancy=manager_tenancy, site=site_a, first_day=MARCH[0], last_day=MARCH[1]
    )
    # 7 of 10 people in library zones, door 10: the last line of wilson_expected.txt.
    assert (stored.library_visits, stored.library_low, stored.library_high) == (7, 3, 9)
    assert stored.missing_periods == 6


def test_without_a_method_or_a_sample_nothing_is_stored(
    site_a: Site, manager_tenancy: Tenancy
) -> None:
    _door_week(site_a, [10, 10, 10, 10, 10, 10, 10])
    with pytest.raises(ValidationError):
        attribution_compute(
            tenancy=manager_tenancy, site=site_a, first_day=MARCH[0], last_day=MARCH[1]
        )
    attribution_set(
        tenancy=manager_tenancy,
        site=site_a,
        method=AttributionMethod.INQUIRY_SHARE,
        valid_from=MARCH[0],
    )
    with pytest.raises(ValidationError):
        attribution_compute(
            tenancy=manager_tenancy, site=site_a, first_day=MARCH[0], last_day=MARCH[1]
        )
    with pytest.raises(ValidationError):  # overlaps the open period just set
        attribution_set(
            tenancy=manager_tenancy,
            site=site_a,
            method=AttributionMethod.FIXED_SHARE,
            valid_from=dt.date(2025, 1, 1),
            library_share=Decimal("0.5"),
        )
    assert not AttributedVisits.objects.exists()
