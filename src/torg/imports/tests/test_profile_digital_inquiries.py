"""The ``digital-inquiries`` profile: messages from a mail system, web form or chat tool go
into the digital queue, scrubbed, keyed by their id, and a repeated export never reopens
what a team has closed. Expected values worked out by hand from
``data/digital_inquiries.csv`` (Europe/Oslo is UTC+1 until 29 March 2026)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from torg.catalogue.models import Service, ServiceCategory
from torg.imports.framework import ImportFailed, ImportResult, run_import
from torg.organisation.models import Municipality
from torg.referrals.models import DigitalInquiry, DigitalStatus, Team
from torg.testing.factories import make_municipality

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UTC = dt.UTC


@pytest.fixture
def nordby() -> Municipality:
    municipality = make_municipality("nordby")
    for name, domain in (("Kommunale tjenester", "municipal"), ("Biblioteksteamet", "library")):
        Team.objects.create(municipality=municipality, name=name, domain=domain)
    category = ServiceCategory.objects.create(
        municipality=municipality, code="byggesak", name_nb="Bygg", name_en="Building"
    )
    Service.objects.create(
        municipality=municipality,
        category=category,
        code="parkering",
        name_nb="Parkeringstillatelse",
        name_en="Parking permit",
        domain="municipal",
        level="generalist",
    )
    return municipality


def load(**kwargs: object) -> ImportResult:
    return run_import(
        "digital-inquiries",
        DATA / "digital_inquiries.csv",
        municipality="nordby",
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_message_comes_into_the_queue_with_its_channel_time_team_and_clock(nordby):
    result = load()

    assert result.created == 4
    rows = {row.source_key: row for row in DigitalInquiry.objects.all()}
    assert {key: row.channel for key, row in rows.items()} == {
        "digital:m-1": "email",
        "digital:m-2": "web_form",
        "digital:m-3": "chat",
        "digital:m-4": "email",
    }
    assert rows["digital:m-1"].received_at == dt.datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
    assert rows["digital:m-2"].received_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert rows["digital:m-4"].received_at == dt.datetime(2026, 3, 28, 22, 30, tzinfo=UTC)
    assert rows["digital:m-1"].team == Team.objects.get(name="Kommunale tjenester")
    assert rows["digital:m-1"].due_at == dt.datetime(2026, 3, 4, 8, 15, tzinfo=UTC)  # + 48 h
    assert rows["digital:m-3"].team is None and rows["digital:m-3"].due_at is None
    assert rows["digital:m-1"].service == Service.objects.get(code="parkering")
    assert all(row.status == DigitalStatus.NEW for row in rows.values())


def test_personal_data_is_removed_and_the_sender_never_read(nordby):
    result = load()

    summaries = list(DigitalInquiry.objects.values_list("summary", flat=True))
    assert "Spørsmål om eiendomsskatt, ring [PHONE]" in summaries
    assert "Kontakt meg på [E-MAIL]" in summaries
    assert not any("example.no" in s or "412 34 567" in s for s in summaries)
    assert "2 piece(s) of personal data removed" in result.summary()
    assert "avsender" in result.summary()  # listed as an ignored column


def test_a_later_export_adds_nothing_and_never_reopens_a_closed_message(nordby):
    load()
    DigitalInquiry.objects.filter(source_key="digital:m-1").update(
        status=DigitalStatus.CLOSED,
        first_response_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        closed_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
    )

    again = load(force=True)

    assert (again.created, again.updated) == (0, 0)
    assert DigitalInquiry.objects.count() == 4
    assert DigitalInquiry.objects.get(source_key="digital:m-1").status == DigitalStatus.CLOSED


def test_a_bad_channel_an_unknown_team_and_a_bad_time_are_named_and_nothing_is_written(nordby):
    with pytest.raises(ImportFailed) as failure:
        run_import(
            "digital-inquiries", DATA / "digital_inquiries_malformed.csv", municipality="nordby"
        )

    found = [(issue.row, issue.column) for issue in failure.value.issues]
    assert found == [(2, "kanal"), (3, "kø"), (4, "mottatt")]
    assert DigitalInquiry.objects.count() == 0
