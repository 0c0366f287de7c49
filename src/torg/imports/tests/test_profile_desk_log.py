"""The generic desk-log profile against figures computed independently from the sample logs
(``reference/desk_log.json``, made by ``reference/desk_log_reference.py`` with the standard
library only): a LibAnswers/Gimlet-style export with ids, times with AM/PM and locations,
and a Norwegian form with separate date and time columns, no ids and no location."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from torg.catalogue.services import catalogue_load_default
from torg.imports.framework import ImportFailed, ImportRefused, ImportResult, run_import
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.testing.factories import make_municipality, make_service_point, make_site

HERE = Path(__file__).parent
DATA = HERE / "data"
REFERENCE = json.loads((HERE / "reference" / "desk_log.json").read_text("utf-8"))
OSLO = zone("Europe/Oslo")

pytestmark = pytest.mark.django_db


@pytest.fixture
def nordby() -> Municipality:
    """A municipality with the default catalogue, a main library with a desk and a citizen
    service counter, and a branch whose desk has the same name as the main library's."""
    municipality = make_municipality("nordby", name="Nordby", number="3099")
    catalogue_load_default(municipality=municipality)
    main = make_site(municipality, "Hovedbiblioteket", code="hoved")
    make_service_point(main, "Skranke")
    make_service_point(main, "Servicetorget")
    branch = make_site(municipality, "Filial Sør", code="sor")
    make_service_point(branch, "Skranke")
    return municipality


def _libanswers(**kwargs: Any) -> ImportResult:
    return run_import("desk-log", DATA / "desk_log_libanswers.csv", municipality="nordby", **kwargs)


def _skjema(**kwargs: Any) -> ImportResult:
    options = kwargs.pop("options", {"site": "hoved"})
    return run_import(
        "desk-log",
        DATA / "desk_log_skjema.csv",
        municipality="nordby",
        options=options,
        **kwargs,
    )


def _service_codes() -> Counter[str | None]:
    return Counter(
        code for code in Inquiry.objects.values_list("service__code", flat=True).order_by()
    )


def _local_days() -> dict[str, int]:
    return dict(
        Counter(
            f"{instant.astimezone(OSLO):%Y-%m-%d}"
            for instant in Inquiry.objects.values_list("occurred_at", flat=True)
        )
    )


def test_the_stored_reference_is_what_the_reference_script_computes() -> None:
    spec = importlib.util.spec_from_file_location(
        "desk_log_reference", HERE / "reference" / "desk_log_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compute() == REFERENCE


def test_every_row_of_an_export_becomes_one_inquiry_with_its_channel(nordby: Municipality) -> None:
    result = _libanswers()
    reference = REFERENCE["libanswers"]
    assert result.rows_read == result.created == reference["rows"] == 20
    formats = reference["by_format"]
    assert Counter(Inquiry.objects.values_list("channel", flat=True)) == {
        Channel.IN_PERSON: formats["walk-up"] + formats["in person"],
        Channel.PHONE: formats["phone"],
        Channel.CHAT: formats["chat"] + formats["sms"],
        Channel.EMAIL: formats["email"],
        Channel.OUTREACH: formats["outreach"],
    }
    assert (
        sorted(
            str(key).removeprefix("desk-log:")
            for key in Inquiry.objects.values_list("source_key", flat=True)
        )
        == reference["ids"]
    )


def test_services_are_found_by_code_name_or_synonym_and_the_rest_are_counted(
    nordby: Municipality,
) -> None:
    result = _libanswers()
    category = REFERENCE["libanswers"]["by_category"]
    assert _service_codes() == {
        "library-card": category["Library card"] + category["lånekort"],
        "digital-help-bankid": category["BankID"] + category["Help with BankID"],
        "housing-allowance": category["housing-allowance"]
        + category["Housing allowance (bostøtte)"]
        + category["bostøtte"],
        "printing-copying-scanning": category["Printing, copying and scanning"]
        + category["printing-copying-scanning"],
        "reading-advice": category["Reading advice and book tips"],
        "reference-research": category["Research help and information searches"],
        "meeting-rooms": category["Meeting rooms and group rooms"],
        "report-street-lights": category["Gatelys"],
        # "Directional" is no service of the catalogue; "lydbok" is a synonym of two
        # (e-books and accessible reading), so it names neither; an empty cell names none.
        None: category["Directional"] + category["lydbok"] + category[""],
    }
    # The domain follows from the service; without one it is unknown.
    for domain, service_domain in Inquiry.objects.values_list("domain", "service__domain"):
        assert domain == (service_domain or InquiryDomain.UNKNOWN)
    assert result.notes == [
        "5 row(s) with a service the catalogue does not have, kept without a service: "
        "'Directional' (4), 'lydbok' (1)"
    ]
    assert "'Directional' (4)" in result.summary()


def test_inquiries_fall_on_the_local_day_written_in_the_log(nordby: Municipality) -> None:
    _libanswers()
    assert _local_days() == REFERENCE["libanswers"]["by_day"]
    assert set(Inquiry.objects.values_list("time_of_day_known", flat=True)) == {True}
    # 12:30 AM is half past midnight; on 31 March 2024 Oslo is still at UTC+1 then.
    assert Inquiry.objects.get(source_key="desk-log:1013").occurred_at == dt.datetime(
        2024, 3, 30, 23, 30, tzinfo=dt.UTC
    )
    # At 3:15 AM the clocks have gone forward: UTC+2.
    assert Inquiry.objects.get(source_key="desk-log:1014").occurred_at == dt.datetime(
        2024, 3, 31, 1, 15, tzinfo=dt.UTC
    )
    assert Inquiry.objects.get(source_key="desk-log:1020").occurred_at == dt.datetime(
        2024, 4, 1, 17, 59, tzinfo=dt.UTC
    )


def test_read_levels_and_outcomes_come_from_their_columns(nordby: Municipality) -> None:
    _libanswers()
    levels = REFERENCE["libanswers"]["by_read_level"]
    assert Counter(Inquiry.objects.values_list("read_effort", flat=True)) == {
        (int(level) if level else None): count for level, count in levels.items()
    }
    answered = REFERENCE["libanswers"]["by_answered"]
    assert Counter(Inquiry.objects.values_list("outcome", flat=True)) == {
        Outcome.RESOLVED: answered["yes"],
        Outcome.NOT_RESOLVED: answered["no"],
        Outcome.REFERRED_INTERNAL: answered["referred"],
        Outcome.APPOINTMENT: answered["appointment"],
        Outcome.NOT_RECORDED: answered[""],
    }


def test_a_location_names_a_service_point_a_site_or_both(nordby: Municipality) -> None:
    _libanswers()
    location = REFERENCE["libanswers"]["by_location"]
    main = Site.objects.get(code="hoved")
    branch = Site.objects.get(code="sor")
    places = Counter(
        (site, point)
        for site, point in Inquiry.objects.values_list("site", "service_point__name").order_by()
    )
    assert places == {
        (main.pk, "Skranke"): location["Hovedbiblioteket / Skranke"],
        (main.pk, "Servicetorget"): location["Servicetorget"],
        (branch.pk, "Skranke"): location["Filial Sør / Skranke"],
        (branch.pk, None): location["sor"],
    }


def test_a_norwegian_form_with_date_and_time_columns_is_read(nordby: Municipality) -> None:
    result = _skjema()
    reference = REFERENCE["skjema"]
    # Two rows that differ only in the free-text note are two contacts, not one.
    assert reference["identical_rows"] == 1
    assert result.rows_read == result.created == reference["rows"] == 12
    kanal = reference["by_kanal"]
    assert Counter(Inquiry.objects.values_list("channel", flat=True)) == {
        Channel.IN_PERSON: kanal["oppmøte"],
        Channel.PHONE: kanal["telefon"],
        Channel.EMAIL: kanal["e-post"],
        Channel.CHAT: kanal["nettprat"],
        Channel.DIGITAL_FORM: kanal["skjema"],
        Channel.OUTREACH: kanal["oppsøkende"],
        Channel.OTHER: kanal["annet"],
    }
    tjeneste = reference["by_tjeneste"]
    assert _service_codes() == {
        "library-card": tjeneste["Bibliotekkort"],
        "housing-allowance": tjeneste["Bostøtte"],
        "start-up-loan": tjeneste["Startlån"],
        "digital-help-bankid": tjeneste["Hjelp med BankID"],
        "building-application": tjeneste["Byggesøknad"],
        "kindergarten-place": tjeneste["Barnehageplass"],
        "book-delivery": tjeneste["Boken kommer"],
        None: tjeneste["Utskrift"] + tjeneste["Kafé"] + tjeneste[""],
    }
    utfall = reference["by_utfall"]
    assert Counter(Inquiry.objects.values_list("outcome", flat=True)) == {
        Outcome.RESOLVED: utfall["ja"],
        Outcome.NOT_RESOLVED: utfall["nei"],
        Outcome.REFERRED_INTERNAL: utfall["henvist"],
        Outcome.REFERRED_EXTERNAL: utfall["annen etat"],
        Outcome.APPOINTMENT: utfall["timeavtale"],
        Outcome.NOT_RECORDED: utfall[""],
    }
    assert _local_days() == reference["by_dato"]
    unknown = Inquiry.objects.filter(time_of_day_known=False)
    assert unknown.count() == reference["without_time"] == 3
    for instant in unknown.values_list("occurred_at", flat=True):
        assert instant.astimezone(OSLO).time() == dt.time(0, 0)
    site = Site.objects.get(code="hoved")
    assert set(Inquiry.objects.values_list("site", "service_point")) == {(site.pk, None)}
    assert "Varighet" in result.ignored_columns and "Merknad" in result.ignored_columns


def test_reimporting_a_log_adds_nothing_with_or_without_ids(nordby: Municipality) -> None:
    _libanswers()
    _skjema()
    assert _libanswers().already_imported
    assert _skjema().already_imported
    again = _libanswers(force=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    again = _skjema(force=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert Inquiry.objects.count() == 32


def test_a_row_edited_in_the_source_is_updated_by_its_id(
    nordby: Municipality, tmp_path: Path
) -> None:
    _libanswers()
    edited = tmp_path / "desk_log_libanswers.csv"
    text = (DATA / "desk_log_libanswers.csv").read_text("utf-8")
    assert text.count('"Where are the toilets?"') == 1
    edited.write_text(text.replace('"Yes","Where are the toilets?"', '"No","Where?"'), "utf-8")
    result = run_import("desk-log", edited, municipality="nordby")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 19)
    assert Inquiry.objects.get(source_key="desk-log:1005").outcome == Outcome.NOT_RESOLVED
    assert Inquiry.objects.count() == 20


def test_the_source_option_keeps_two_systems_ids_apart(nordby: Municipality) -> None:
    _libanswers()
    result = _libanswers(force=True, options={"source": "gimlet"})
    assert result.created == 20
    assert Inquiry.objects.filter(source_key="gimlet:1001").exists()
    with pytest.raises(ImportRefused, match="source option"):
        _libanswers(force=True, options={"source": "Gimlet system"})


def test_malformed_rows_are_named_by_row_and_column_and_nothing_is_written(
    nordby: Municipality,
) -> None:
    with pytest.raises(ImportFailed) as failure:
        run_import("desk-log", DATA / "desk_log_malformed.csv", municipality="nordby")
    found = [(issue.row, issue.column, issue.value) for issue in failure.value.issues]
    assert found == [
        (3, "Format", "Carrier pigeon"),
        (4, "Difficulty (READ Scale)", "7"),
        (5, "Timestamp", "2024-03-31 02:30:00"),
        (6, "Location", "Skranke"),
        (7, "Location", "Kjelleren"),
        (8, "Timestamp", "13/45/2024 10:00:00 AM"),
        (9, "Answered", "Perhaps"),
        (10, None, None),
    ]
    reasons = [issue.reason for issue in failure.value.issues]
    assert "unknown channel" in reasons[0]
    assert "READ effort level 1 to 6" in reasons[1]
    assert "does not exist" in reasons[2] and "clocks go forward" in reasons[2]
    assert "several sites" in reasons[3]
    assert "names no site or service point" in reasons[4]
    assert "there is no month 13" in reasons[5] and "month/day/year" in reasons[5]
    assert "unknown outcome" in reasons[6]
    assert reasons[7].startswith("repeats row 2 (id 2001)")
    assert "row 3, column 'Format'" in str(failure.value)
    assert Inquiry.objects.count() == 0


def test_the_command_reports_ignored_columns_and_writes_bad_rows_to_the_error_report(
    nordby: Municipality, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command(
        "import_data",
        "desk-log",
        str(DATA / "desk_log_libanswers.csv"),
        municipality="nordby",
        dry_run=True,
        stdout=out,
    )
    summary = out.getvalue()
    assert "Dry run" in summary
    assert "ignored columns: Patron Type, Question, Duration" in summary
    assert "'Directional' (4)" in summary
    assert Inquiry.objects.count() == 0
    report = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        call_command(
            "import_data",
            "desk-log",
            str(DATA / "desk_log_malformed.csv"),
            municipality="nordby",
            errors=report,
        )
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert [(row[1], row[2]) for row in rows[1:3]] == [
        ("3", "Format"),
        ("4", "Difficulty (READ Scale)"),
    ]


def test_the_free_text_never_reaches_the_database(nordby: Municipality) -> None:
    _libanswers()
    _skjema()
    texts = REFERENCE["libanswers"]["free_text"] + REFERENCE["skjema"]["free_text"]
    assert len(texts) == 17
    text_columns = [
        f.attname
        for f in Inquiry._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField")
    ]
    assert "source_key" in text_columns
    stored = [value for row in Inquiry.objects.values_list(*text_columns) for value in row]
    for text in texts:
        for fragment in (text, *[word for word in text.split() if len(word) >= 6]):
            assert not any(fragment in (value or "") for value in stored), fragment


def test_a_log_must_say_when_and_where(nordby: Municipality, tmp_path: Path) -> None:
    no_when = tmp_path / "no_when.csv"
    no_when.write_text("Channel,Service\nphone,Bostøtte\n", "utf-8")
    with pytest.raises(ImportRefused, match="no column saying when"):
        run_import("desk-log", no_when, municipality="nordby", options={"site": "hoved"})
    # Two sites and no location column: the site must be named.
    with pytest.raises(ImportRefused, match="name one with the site option"):
        _skjema(options={})
    with pytest.raises(ImportRefused, match="no site 'nowhere'"):
        _skjema(options={"site": "nowhere"})


def test_an_empty_location_needs_the_site_option(nordby: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "Timestamp,Channel,Location\n2024-03-28 10:00,phone,Servicetorget\n2024-03-28 10:05,phone,\n",
        "utf-8",
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("desk-log", path, municipality="nordby")
    assert [(i.row, i.column) for i in failure.value.issues] == [(3, "Location")]
    result = run_import("desk-log", path, municipality="nordby", options={"site": "hoved"})
    assert result.created == 2
    points = set(Inquiry.objects.values_list("service_point__name", flat=True))
    assert points == {"Servicetorget", None}


def test_another_municipalitys_sites_and_catalogue_are_never_used(
    nordby: Municipality, tmp_path: Path
) -> None:
    other = make_municipality("sorby", name="Sørby", number="3098")
    make_site(other, "Sørby bibliotek", code="sorby")
    with pytest.raises(ImportFailed) as failure:
        run_import("desk-log", DATA / "desk_log_libanswers.csv", municipality="sorby")
    assert {issue.column for issue in failure.value.issues} == {"Location"}
    assert len(failure.value.issues) == 20
    # Sørby has no catalogue: every service is unknown there, none is taken from Nordby's.
    path = tmp_path / "skjema.csv"
    shutil.copy(DATA / "desk_log_skjema.csv", path)
    result = run_import("desk-log", path, municipality="sorby")
    assert result.created == 12
    assert Inquiry.objects.filter(municipality=other, service__isnull=False).count() == 0
    assert Inquiry.objects.filter(municipality=nordby).count() == 0
    assert not ServicePoint.objects.filter(site__municipality=other).exists()


def test_an_empty_location_goes_to_the_only_site_of_a_municipality(tmp_path: Path) -> None:
    solo = make_municipality("solo", name="Solo", number="3097")
    site = make_site(solo, "Solo bibliotek", code="solo")
    make_service_point(site, "Skranke")
    path = tmp_path / "log.csv"
    path.write_text(
        "Timestamp,Channel,Location\n2024-03-28 10:00,phone,Skranke\n2024-03-28 10:05,phone,\n",
        "utf-8",
    )
    assert run_import("desk-log", path, municipality="solo").created == 2
    assert set(Inquiry.objects.values_list("site", "service_point__name")) == {
        (site.pk, "Skranke"),
        (site.pk, None),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 08:54", dt.datetime(2024, 3, 1, 8, 54)),
        ("2024-03-01T08:54:00", dt.datetime(2024, 3, 1, 8, 54)),
        ("3/1/2024 8:54:00 PM", dt.datetime(2024, 3, 1, 20, 54)),
        ("3/1/2024, 12:05 AM", dt.datetime(2024, 3, 1, 0, 5)),
        ("1.3.2024 08.54", dt.datetime(2024, 3, 1, 8, 54)),
        ("01.03.2024 08:54:10", dt.datetime(2024, 3, 1, 8, 54, 10)),
        ("2024-03-01", dt.date(2024, 3, 1)),
        (
            "2024-03-01T08:54:00+01:00",
            dt.datetime(2024, 3, 1, 8, 54, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        ("2024-03-01 07:54Z", dt.datetime(2024, 3, 1, 7, 54, tzinfo=dt.UTC)),
    ],
)
def test_a_timestamp_is_read_in_the_forms_desk_logs_write(
    text: str, expected: dt.datetime | dt.date
) -> None:
    from torg.imports.profiles.desk_log import parse_timestamp

    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", ["13/1/2024 10:00", "2024-03-01 25:00", "yesterday", "1.3.24 10:00"]
)
def test_a_timestamp_that_is_no_date_and_time_is_refused(text: str) -> None:
    from torg.imports.profiles.desk_log import parse_timestamp

    with pytest.raises(ValueError):
        parse_timestamp(text)
