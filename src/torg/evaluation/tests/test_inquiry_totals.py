"""The stored monthly inquiry totals agree with counts made by hand from the raw rows,
whatever wrote the rows (ORM, bulk update, raw SQL, delete), across a month boundary that
the site's time zone moves, and for ranges that cut months in two."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import Counter

import pytest
from django.db import connection

from torg.evaluation.inquiry_totals import (
    inquiry_month_panel,
    inquiry_summary,
    inquiry_totals_refresh,
)
from torg.evaluation.models import InquiryDirtyDay, InquiryMonthTotal
from torg.evaluation.triggers import ensure_inquiry_triggers, inquiry_triggers_installed
from torg.inquiries.models import Inquiry
from torg.organisation.models import Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import local, make_municipality, make_site

pytestmark = pytest.mark.django_db

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _add(
    site: Site,
    at: dt.datetime,
    *,
    domain: str = "library",
    channel: str = "in_person",
    user_type: str = "",
) -> Inquiry:
    return Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=at,
        channel=channel,
        domain=domain,
        outcome="resolved",
        user_type=user_type,
    )


@pytest.fixture
def world():
    municipality = make_municipality("tottenvik")
    oslo = make_site(municipality, "Torget")
    york = make_site(municipality, "Harbour", time_zone="America/New_York")
    rng = random.Random(7)
    start = dt.datetime(2023, 12, 25, tzinfo=dt.UTC)
    for _ in range(400):
        site = rng.choice([oslo, york])
        _add(
            site,
            start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 75)),
            domain=rng.choice(["library", "municipal", "shared", "unknown"]),
            channel=rng.choice(["in_person", "phone", "chat"]),
            user_type=rng.choice(["", "new", "returning"]),
        )
    # Just either side of midnight local time at the turn of the month.
    _add(oslo, local(2024, 1, 31, 23, 59), user_type="new")
    _add(oslo, local(2024, 2, 1, 0, 1))
    _add(york, local(2024, 1, 31, 23, 30, zone="America/New_York"))
    return municipality, oslo, york


def _by_hand(municipality, first: dt.date, last: dt.date) -> tuple[Counter, Counter, int]:
    domains: Counter = Counter()
    channels: Counter = Counter()
    new = 0
    for row in Inquiry.objects.filter(municipality=municipality).select_related("site"):
        day = row.occurred_at.astimezone(zoneinfo.ZoneInfo(row.site.time_zone)).date()
        if first <= day <= last:
            domains[row.domain] += 1
            channels[row.channel] += 1
            new += row.user_type == "new"
    return domains, channels, new


def _panel_by_hand(municipality, *, new_users: bool = False) -> dict:
    counts: Counter = Counter()
    for row in Inquiry.objects.filter(municipality=municipality).select_related("site"):
        day = row.occurred_at.astimezone(zoneinfo.ZoneInfo(row.site.time_zone)).date()
        key = (row.site_id, day.replace(day=1))
        if new_users and row.user_type == "":
            continue  # not asked: no figure for new users
        counts[key] += int(row.user_type == "new") if new_users else 1
    return dict(counts)


def test_the_triggers_are_installed_by_the_migrations():
    assert inquiry_triggers_installed(connection)
    assert not ensure_inquiry_triggers(connection)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),  # one whole month
        (dt.date(2023, 12, 1), dt.date(2024, 3, 31)),  # whole months only
        (dt.date(2024, 1, 15), dt.date(2024, 2, 10)),  # two partial months
        (dt.date(2024, 1, 31), dt.date(2024, 1, 31)),  # one day
        (dt.date(2024, 1, 10), dt.date(2024, 3, 31)),  # a partial month, then whole ones
    ],
)
def test_the_summary_agrees_with_a_count_by_hand(world, first, last):
    municipality, _oslo, _york = world
    summary = inquiry_summary(municipality, first, last)
    domains, channels, new = _by_hand(municipality, first, last)
    assert summary.by_domain == dict(domains)
    assert summary.by_channel == dict(channels)
    assert summary.new_users == new
    assert summary.total == sum(domains.values())


def test_the_month_panel_agrees_with_a_count_by_hand_in_each_sites_zone(world):
    municipality, _oslo, york = world
    assert inquiry_month_panel(municipality) == _panel_by_hand(municipality)
    assert inquiry_month_panel(municipality, new_users=True) == _panel_by_hand(
        municipality, new_users=True
    )
    panel = inquiry_month_panel(municipality)
    # 23:30 in New York on 31 January is 1 February in UTC, still January locally.
    assert (york.pk, dt.date(2024, 1, 1)) in panel


def test_every_kind_of_write_is_seen_at_the_next_read(world):
    municipality, oslo, york = world
    inquiry_totals_refresh(municipality)
    assert not InquiryDirtyDay.objects.filter(municipality_id=municipality.pk).exists()
    # An update through a queryset (no save(), no signal) moving rows to another month.
    Inquiry.objects.filter(
        site=oslo, occurred_at__lt=dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
    ).update(occurred_at=dt.datetime(2024, 2, 20, 12, tzinfo=dt.UTC))
    # A delete and raw SQL.
    Inquiry.objects.filter(site=york, domain="shared").delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inquiries_inquiry SET user_type = 'new' WHERE site_id = %s AND channel = 'chat'",
            [oslo.pk],
        )
    assert inquiry_month_panel(municipality) == _panel_by_hand(municipality)
    assert inquiry_month_panel(municipality, new_users=True) == _panel_by_hand(
        municipality, new_users=True
    )
    first, last = dt.date(2023, 12, 1), dt.date(2024, 3, 31)
    domains, _channels, new = _by_hand(municipality, first, last)
    summary = inquiry_summary(municipality, first, last)
    assert (summary.by_domain, summary.new_users) == (dict(domains), new)


def test_a_month_where_no_one_was_asked_has_no_new_user_figure(world):
    municipality, oslo, _york = world
    _add(oslo, local(2030, 5, 2, 10))
    _add(oslo, local(2030, 6, 2, 10), user_type="returning")
    panel = inquiry_month_panel(municipality, new_users=True)
    assert (oslo.pk, dt.date(2030, 5, 1)) not in panel
    assert panel[(oslo.pk, dt.date(2030, 6, 1))] == 0
    assert inquiry_month_panel(municipality)[(oslo.pk, dt.date(2030, 5, 1))] == 1


def test_a_site_moved_to_another_time_zone_has_its_months_rebuilt(world):
    municipality, oslo, _york = world
    inquiry_totals_refresh(municipality)
    Site.objects.filter(pk=oslo.pk).update(time_zone="America/New_York")
    assert inquiry_month_panel(municipality) == _panel_by_hand(municipality)
    assert set(InquiryMonthTotal.objects.filter(site=oslo).values_list("time_zone", flat=True)) == {
        "America/New_York"
    }


def test_a_member_bound_to_one_site_sees_only_its_inquiries(world):
    municipality, oslo, _york = world
    tenancy = Tenancy(municipality, "manager", frozenset({oslo.pk}))
    panel = inquiry_month_panel(tenancy)
    assert {site for site, _month in panel} == {oslo.pk}
    summary = inquiry_summary(tenancy, dt.date(2023, 12, 1), dt.date(2024, 3, 31))
    assert summary.total == Inquiry.objects.filter(site=oslo).count()


def test_a_range_that_ends_before_it_starts_is_refused(world):
    municipality, _oslo, _york = world
    with pytest.raises(ValueError, match="before"):
        inquiry_summary(municipality, dt.date(2024, 2, 1), dt.date(2024, 1, 1))
