"""The turnaround of referrals in the desk statistics: counted from the referrals made from
the matching inquiries, medians over those that got that far, the same on the page, in the
CSV and XLSX and from the API. Expected values worked out by hand in the comments."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.inquiries.statistics import StatisticsFilters, inquiry_statistics
from torg.organisation.scoping import tenancy_for
from torg.referrals.services import (
    referral_accept,
    referral_complete,
    referral_create,
    referral_decline,
    team_create,
)
from torg.testing.factories import local, make_site, make_user

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def referred(municipality_x, manager_x):
    """Four inquiries on 4 May 2026 at Torget, three referred, one referral at another
    site: made at 10:00; A answered after 30 min and completed after 120; B declined after
    90; C still open. D (Filialen) answered after 5 min, outside a Torget filter."""
    torget = make_site(municipality_x, "Torget")
    filialen = make_site(municipality_x, "Filialen")
    tenancy = tenancy_for(manager_x, municipality_x.slug)
    team = team_create(tenancy=tenancy, actor=manager_x, name="Kommunale", domain="municipal")
    made = local(2026, 5, 4, 10)

    def refer(site, *, answer=None, complete=None, decline=None):
        inquiry = Inquiry.objects.create(
            municipality=municipality_x,
            site=site,
            occurred_at=made,
            channel=Channel.IN_PERSON,
            outcome=Outcome.REFERRED_INTERNAL,
        )
        referral = referral_create(
            tenancy=tenancy, actor=manager_x, inquiry=inquiry, team=team, now=made
        ).referral
        if answer is not None:
            referral_accept(
                tenancy=tenancy,
                actor=manager_x,
                referral=referral,
                now=made + dt.timedelta(minutes=answer),
            )
        if complete is not None:
            referral_complete(
                tenancy=tenancy,
                actor=manager_x,
                referral=referral,
                outcome="resolved",
                now=made + dt.timedelta(minutes=complete),
            )
        if decline is not None:
            referral_decline(
                tenancy=tenancy,
                actor=manager_x,
                referral=referral,
                now=made + dt.timedelta(minutes=decline),
            )
        return referral

    refer(torget, answer=30, complete=120)
    refer(torget, decline=90)
    refer(torget)
    refer(filialen, answer=5)
    Inquiry.objects.create(
        municipality=municipality_x,
        site=torget,
        occurred_at=made,
        channel=Channel.PHONE,
        outcome=Outcome.RESOLVED,
    )
    return torget


def test_the_turnaround_counts_the_referrals_and_takes_medians_of_those_answered(
    municipality_x, referred
):
    stats = inquiry_statistics(municipality_x, StatisticsFilters(site=referred))

    turnaround = stats.referral_turnaround
    assert turnaround is not None
    assert (turnaround.referrals, turnaround.responded, turnaround.completed) == (3, 2, 1)
    assert turnaround.median_first_response_minutes == Decimal("60.0")  # median of 30, 90
    assert turnaround.median_completion_minutes == Decimal("120.0")


def test_without_a_filter_every_referral_of_the_municipality_counts(municipality_x, referred):
    turnaround = inquiry_statistics(municipality_x, StatisticsFilters()).referral_turnaround
    assert turnaround is not None
    assert (turnaround.referrals, turnaround.responded) == (4, 3)
    assert turnaround.median_first_response_minutes == Decimal("30.0")  # median of 5, 30, 90


def test_nothing_referred_gives_no_turnaround_rather_than_zeros(municipality_x):
    site = make_site(municipality_x, "Torget")
    Inquiry.objects.create(
        municipality=municipality_x,
        site=site,
        occurred_at=local(2026, 5, 4, 10),
        channel=Channel.PHONE,
        outcome=Outcome.RESOLVED,
    )
    assert inquiry_statistics(municipality_x, StatisticsFilters()).referral_turnaround is None


def test_another_municipalitys_referrals_never_count(municipality_x, municipality_y, referred):
    assert inquiry_statistics(municipality_y, StatisticsFilters()).referral_turnaround is None


def test_the_page_the_csv_the_xlsx_and_the_api_show_the_same_turnaround(
    municipality_x, referred, client_for
):
    analyst = make_user("analytiker", municipality_x, "analyst")
    client = client_for(analyst)
    base = f"/m/{municipality_x.slug}/inquiries/statistics/"
    query = f"?site={referred.pk}"

    page = client.get(base + query, **ENGLISH).content.decode()
    assert 'id="statistics-referrals"' in page
    assert "60.0" in page and "120.0" in page

    csv_text = client.get(base + "export.csv" + query + "&delimiter=semicolon", **ENGLISH)
    text = b"".join(csv_text.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    referral_rows = {row[2]: Decimal(row[4]) for row in rows if row and row[0] == "Referrals"}
    assert referral_rows == {
        "Referrals to a team": 3,
        "Answered by the team (accepted or declined)": 2,
        "Completed": 1,
        "Time to first response": Decimal("60.0"),
        "Time to completion": Decimal("120.0"),
    }

    book = load_workbook(
        io.BytesIO(client.get(base + "export.xlsx" + query, **ENGLISH).content), read_only=True
    )
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Referrals to a team"] == 3
    assert Decimal(str(summary["Time to first response"])) == Decimal("60.0")

    api = client.get(
        f"/api/v1/m/{municipality_x.slug}/inquiry-statistics/?site={referred.pk}"
    ).json()
    assert api["referral_turnaround"] == {
        "referrals": 3,
        "responded": 2,
        "completed": 1,
        "median_first_response_minutes": 60.0,
        "median_completion_minutes": 120.0,
    }
