"""Migration 0002 of the referrals: a database from before the one-open-referral rule may
hold two open referrals of one inquiry (the desk worker's trial made exactly that). The
migration keeps the earliest open one (an accepted one first) and declines or returns the
others, with a queue event, so that the constraint can be added."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from torg.referrals.models import QueueEvent, Referral, ReferralStatus
from torg.referrals.tests.factories import T0, make_inquiry, make_team

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("torg.referrals.migrations.0002_one_open_referral_per_inquiry")
CONSTRAINT = "referral_one_open_per_inquiry"


def without_the_constraint() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {CONSTRAINT}")


def with_the_constraint_again() -> None:
    (constraint,) = [c for c in Referral._meta.constraints if c.name == CONSTRAINT]
    sql = constraint.create_sql(Referral, connection.schema_editor())
    with connection.cursor() as cursor:
        cursor.execute(str(sql))


def test_the_migration_closes_duplicate_open_referrals_and_keeps_the_first(municipality_x, site_a):
    team = make_team(municipality_x, "Kommunale tjenester")
    twice, accepted_later, both_accepted, alone = (make_inquiry(site_a) for _ in range(4))
    without_the_constraint()

    def referral(inquiry, minutes, **fields):
        return Referral.objects.create(
            municipality=municipality_x,
            inquiry=inquiry,
            to_team=team,
            created_at=T0.replace(minute=minutes),
            **fields,
        )

    first = referral(twice, 1)
    duplicate = referral(twice, 2)
    new_one = referral(accepted_later, 1)
    accepted = referral(
        accepted_later,
        3,
        status=ReferralStatus.ACCEPTED,
        accepted_at=T0.replace(minute=4),
        first_response_at=T0.replace(minute=4),
    )
    taken = {"status": ReferralStatus.ACCEPTED}
    taken_first = referral(
        both_accepted,
        1,
        **taken,
        accepted_at=T0.replace(minute=2),
        first_response_at=T0.replace(minute=2),
    )
    taken_second = referral(
        both_accepted,
        3,
        **taken,
        accepted_at=T0.replace(minute=5),
        first_response_at=T0.replace(minute=5),
    )
    only = referral(alone, 1)

    MIGRATION.close_duplicate_open_referrals(apps, connection.schema_editor())
    with_the_constraint_again()  # would raise if two open referrals of one inquiry were left

    status = dict(Referral.objects.values_list("pk", "status"))
    assert status == {
        first.pk: ReferralStatus.NEW,
        duplicate.pk: ReferralStatus.DECLINED,
        new_one.pk: ReferralStatus.DECLINED,  # the accepted one is kept, though later
        accepted.pk: ReferralStatus.ACCEPTED,
        taken_first.pk: ReferralStatus.ACCEPTED,
        taken_second.pk: ReferralStatus.RETURNED,
        only.pk: ReferralStatus.NEW,
    }
    events = {
        event.referral_id: (event.action, event.detail)
        for event in QueueEvent.objects.filter(action__startswith="referral_")
    }
    assert events == {
        duplicate.pk: (
            "referral_declined",
            {"reason": "duplicate_open_referral", "kept": first.pk},
        ),
        new_one.pk: (
            "referral_declined",
            {"reason": "duplicate_open_referral", "kept": accepted.pk},
        ),
        taken_second.pk: (
            "referral_returned",
            {"reason": "duplicate_open_referral", "kept": taken_first.pk},
        ),
    }
    closed = Referral.objects.get(pk=duplicate.pk)
    assert closed.declined_at is not None and closed.first_response_at == closed.declined_at
