"""The BAMPFA film library's desk log 2020 against figures computed independently from the
raw file (``reference/bampfa_desk_log.json``, made by ``reference/bampfa_desk_log_reference.py``
with the standard library only). The file is not shipped: these tests read it from
``../shared/data`` and skip when it is absent."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from torg.imports.framework import ImportRefused, ImportResult, run_import
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site
from torg.testing.factories import make_municipality, make_site, shared_data_file

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "bampfa_desk_log.json").read_text("utf-8")
)
BERKELEY = zone("America/Los_Angeles")

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture
def bampfa() -> Municipality:
    return make_municipality("bampfa", name="BAMPFA", number="06001", country="US")


@pytest.fixture
def film_library(bampfa: Municipality) -> Site:
    return make_site(bampfa, "PFA Library", code="pfa", time_zone="America/Los_Angeles")


def _import(**kwargs: Any) -> ImportResult:
    return run_import(
        "bampfa-desk-log",
        shared_data_file("reference-desk-transactions/libstats_2020.csv"),
        municipality="bampfa",
        **kwargs,
    )


def test_every_row_becomes_one_inquiry_with_its_channel(film_library: Site) -> None:
    result = _import()
    assert result.rows_read == result.created == REFERENCE["rows"] == 470
    channels = Counter(Inquiry.objects.values_list("channel", flat=True))
    source = REFERENCE["by_source"]
    assert channels == {
        Channel.IN_PERSON: source["walk in"],
        Channel.EMAIL: source["email"],
        Channel.PHONE: source["phone call"],
        Channel.OTHER: source["other"],
    }
    assert set(Inquiry.objects.values_list("site", flat=True)) == {film_library.pk}


def test_an_empty_outcome_is_not_recorded_rather_than_resolved(film_library: Site) -> None:
    _import()
    outcomes = Counter(Inquiry.objects.values_list("outcome", flat=True))
    answers = REFERENCE["by_success"]
    assert outcomes == {
        Outcome.RESOLVED: answers["Yes"],
        Outcome.NOT_RESOLVED: answers["No"],
        Outcome.NOT_RECORDED: answers[""] + answers["Maybe"],
    }


def test_a_date_other_than_today_replaces_the_timestamp_with_time_unknown(
    film_library: Site,
) -> None:
    _import()
    unknown = Inquiry.objects.filter(time_of_day_known=False)
    assert unknown.count() == REFERENCE["date_given"] == 179
    for instant in unknown.values_list("occurred_at", flat=True):
        local = instant.astimezone(BERKELEY)
        assert (local.hour, local.minute, local.second) == (0, 0, 0)
    by_month = Counter(
        f"{i.astimezone(BERKELEY):%Y-%m}"
        for i in Inquiry.objects.values_list("occurred_at", flat=True)
    )
    assert dict(by_month) == REFERENCE["by_month_of_day"]
    # The first row was logged on 6 January about a contact on 3 January (PST, UTC−8).
    first = Inquiry.objects.get(source_key="libstats:2020-01-06 10:18:38")
    assert first.occurred_at == dt.datetime(2020, 1, 3, 8, 0, tzinfo=dt.UTC)
    assert not first.time_of_day_known


def test_a_timestamp_is_local_time_at_the_site(film_library: Site) -> None:
    _import()
    walk_in = Inquiry.objects.get(source_key="libstats:2020-01-06 10:30:32")
    assert walk_in.time_of_day_known
    assert walk_in.channel == Channel.IN_PERSON
    assert walk_in.occurred_at == dt.datetime(2020, 1, 6, 18, 30, 32, tzinfo=dt.UTC)


def test_reimporting_adds_nothing(film_library: Site) -> None:
    _import()
    assert _import().already_imported
    forced = _import(force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, 470)
    assert Inquiry.objects.count() == 470


def test_a_municipality_with_several_sites_must_name_one(
    film_library: Site, bampfa: Municipality
) -> None:
    make_site(bampfa, "Museum shop", time_zone="America/Los_Angeles")
    with pytest.raises(ImportRefused, match="name one with the site option"):
        _import()
    result = _import(options={"site": "pfa"})
    assert result.created == 470
    assert set(Inquiry.objects.values_list("site", flat=True)) == {film_library.pk}


def test_the_command_passes_the_site_option_to_the_profile(
    film_library: Site, bampfa: Municipality
) -> None:
    from django.core.management import call_command

    make_site(bampfa, "Museum shop", time_zone="America/Los_Angeles")
    path = shared_data_file("reference-desk-transactions/libstats_2020.csv")
    call_command(
        "import_data", "bampfa-desk-log", str(path), municipality="bampfa", set=["site=pfa"]
    )
    assert set(Inquiry.objects.values_list("site", flat=True)) == {film_library.pk}
    assert Inquiry.objects.count() == 470


def test_the_stored_reference_is_what_the_reference_script_computes() -> None:
    path = shared_data_file("reference-desk-transactions/libstats_2020.csv")
    script = Path(__file__).parent / "reference" / "bampfa_desk_log_reference.py"
    spec = importlib.util.spec_from_file_location("bampfa_desk_log_reference", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compute(path) == REFERENCE


def test_each_inquiry_falls_on_the_local_day_of_the_contact(film_library: Site) -> None:
    _import()
    by_day = Counter(
        f"{i.astimezone(BERKELEY):%Y-%m-%d}"
        for i in Inquiry.objects.values_list("occurred_at", flat=True)
    )
    assert dict(by_day) == REFERENCE["by_day_of_contact"]
    assert sum(by_day.values()) == 470


def test_the_free_text_and_the_affiliations_never_reach_the_database(film_library: Site) -> None:
    result = _import()
    assert result.ignored_columns == [
        "interaction type",
        "research need",
        "outcome",
        "Number of people (if more than 1)",
        "affiliation",
        "Institutional affiliation if not UCB",
        "Number of films/documents/items provided",
        "interaction staff time",
    ]
    path = shared_data_file("reference-desk-transactions/libstats_2020.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    private = {
        row[column].strip()
        for row in rows
        for column in (
            "research need",
            "outcome",
            "affiliation",
            "Institutional affiliation if not UCB",
        )
        if len(row[column].strip()) >= 4
    }
    assert len(private) > 300
    text_columns = [
        f.attname
        for f in Inquiry._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField")
    ]
    stored = {str(v) for row in Inquiry.objects.values_list(*text_columns) for v in row}
    assert not [text for text in private if any(text in value for value in stored)]
