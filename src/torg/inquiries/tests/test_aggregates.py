"""The dashboard's inquiry breakdowns: by domain, channel and service (top services, the
rest and "no service"), totals that agree, local days across a DST night, and tenancy."""

from __future__ import annotations

import datetime as dt

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.inquiries.aggregates import (
    Dimension,
    inquiries_by,
    inquiries_over_time,
    inquiry_count,
)
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.organisation.models import Municipality, Site
from torg.testing.factories import local, make_site
from torg.visits.aggregates import Granularity, LocalDateRange


def service(municipality: Municipality, code: str, domain: str) -> Service:
    category, _ = ServiceCategory.objects.get_or_create(
        municipality=municipality,
        code="general",
        defaults={"name_nb": "Generelt", "name_en": "General"},
    )
    return Service.objects.create(
        municipality=municipality,
        category=category,
        code=code,
        name_nb=f"{code} nb",
        name_en=f"{code} en",
        domain=domain,
        level=Level.GENERALIST,
    )


def inquiry(
    site: Site,
    when: dt.datetime,
    *,
    channel: str = Channel.IN_PERSON,
    with_service: Service | None = None,
) -> Inquiry:
    return Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=when,
        channel=channel,
        service=with_service,
        domain=with_service.domain if with_service else "unknown",
        outcome=Outcome.RESOLVED,
    )


def test_inquiries_are_counted_by_domain_channel_and_service_and_the_totals_agree(site_a):
    municipality = site_a.municipality
    lending = service(municipality, "lending", Domain.LIBRARY)
    tax = service(municipality, "property-tax", Domain.MUNICIPAL)
    for _ in range(3):
        inquiry(site_a, local(2024, 5, 2, 10), with_service=lending)
    inquiry(site_a, local(2024, 5, 2, 11), channel=Channel.PHONE, with_service=tax)
    inquiry(site_a, local(2024, 5, 3, 9), channel=Channel.PHONE)
    by_domain = {row.key: row.count for row in inquiries_by(municipality, Dimension.DOMAIN)}
    assert by_domain == {"library": 3, "municipal": 1, "unknown": 1}
    by_channel = {row.key: row.count for row in inquiries_by(municipality, Dimension.CHANNEL)}
    assert by_channel == {"in_person": 3, "phone": 2}
    by_service = inquiries_by(municipality, Dimension.SERVICE)
    assert [(row.key, row.count) for row in by_service] == [
        ("lending", 3),
        ("property-tax", 1),
        ("", 1),
    ]
    assert by_service.total == inquiry_count(municipality) == 5


def test_services_past_the_top_are_added_up_as_other_services(site_a):
    municipality = site_a.municipality
    for index, times in enumerate([4, 3, 2, 1]):
        current = service(municipality, f"s{index}", Domain.SHARED)
        for _ in range(times):
            inquiry(site_a, local(2024, 5, 2, 10), with_service=current)
    breakdown = inquiries_by(municipality, Dimension.SERVICE, top_services=2)
    assert [(row.key, row.count) for row in breakdown] == [("s0", 4), ("s1", 3), ("other", 3)]


def test_an_inquiry_just_after_local_midnight_counts_on_its_local_day(site_a):
    # 00:15 on 31 March 2024 in Oslo is 23:15 UTC on 30 March.
    inquiry(site_a, local(2024, 3, 31, 0, 15))
    inquiry(site_a, local(2024, 3, 30, 23, 45))
    day = LocalDateRange(dt.date(2024, 3, 31), dt.date(2024, 3, 31))
    assert inquiry_count(site_a.municipality, period=day) == 1
    series = inquiries_over_time(site_a.municipality)
    assert series.granularity is Granularity.DAY
    assert {b: series.total(b) for b in series.buckets} == {
        dt.date(2024, 3, 30): 1,
        dt.date(2024, 3, 31): 1,
    }


def test_a_day_without_inquiries_is_zero_in_the_series(site_a):
    inquiry(site_a, local(2024, 6, 1, 12))
    inquiry(site_a, local(2024, 6, 3, 12))
    series = inquiries_over_time(site_a.municipality)
    assert [series.total(b) for b in series.buckets] == [1, 0, 1]


def test_another_municipalitys_inquiries_are_never_counted(site_a, site_b):
    inquiry(site_a, local(2024, 5, 2, 10))
    inquiry(site_b, local(2024, 5, 2, 10))
    inquiry(site_b, local(2024, 5, 2, 11))
    assert inquiry_count(site_a.municipality) == 1
    assert inquiries_by(site_a.municipality, Dimension.CHANNEL).total == 1


def test_sites_in_different_zones_each_use_their_own_local_day(municipality_x):
    toronto = make_site(municipality_x, "Toronto", time_zone="America/Toronto")
    # 21:00 on 1 June in Toronto is 03:00 on 2 June in Oslo.
    inquiry(toronto, local(2024, 6, 1, 21, 0, "America/Toronto"))
    first_june = LocalDateRange(dt.date(2024, 6, 1), dt.date(2024, 6, 1))
    assert inquiry_count(municipality_x, period=first_june) == 1


def test_inquiries_outside_the_accepted_calendar_are_left_out_and_a_long_span_is_not_drawn(
    site_a,
):
    inquiry(site_a, local(1900, 1, 1, 12))
    inquiry(site_a, local(2100, 12, 31, 12))
    inquiry(site_a, dt.datetime(9999, 6, 1, tzinfo=dt.UTC))
    municipality = site_a.municipality
    assert inquiry_count(municipality) == 2
    assert inquiries_by(municipality, Dimension.CHANNEL).total == 2
    series = inquiries_over_time(municipality)
    assert series.too_many_buckets
    assert series.buckets == ()
    assert (series.first_day, series.last_day) == (dt.date(1900, 1, 1), dt.date(2100, 12, 31))
