"""The Open311 GeoReport v2 profile against figures computed independently from the sample
requests (``reference/open311.json``, made by ``reference/open311_reference.py`` with the
standard library only): a JSON array as ``GET requests.json`` returns it, and a later CSV
export that repeats two of its requests."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from torg.catalogue.services import catalogue_load_default
from torg.imports.framework import ImportFailed, ImportRefused, ImportResult, run_import
from torg.imports.profiles.open311 import PERSONAL_FIELDS
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.lib.localtime import zone
from torg.organisation.models import Municipality
from torg.testing.factories import make_municipality, make_service_point, make_site

HERE = Path(__file__).parent
DATA = HERE / "data"
REFERENCE = json.loads((HERE / "reference" / "open311.json").read_text("utf-8"))
OSLO = zone("Europe/Oslo")

pytestmark = pytest.mark.django_db


@pytest.fixture
def nordby() -> Municipality:
    municipality = make_municipality("nordby", name="Nordby", number="3099")
    catalogue_load_default(municipality=municipality)
    town_hall = make_site(municipality, "Rådhuset", code="radhus")
    make_service_point(town_hall, "Servicetorget")
    return municipality


def _json(**kwargs: Any) -> ImportResult:
    return run_import("open311", DATA / "open311_requests.json", municipality="nordby", **kwargs)


def _csv(**kwargs: Any) -> ImportResult:
    return run_import("open311", DATA / "open311_requests.csv", municipality="nordby", **kwargs)


def _service_codes() -> Counter[str | None]:
    return Counter(Inquiry.objects.values_list("service__code", flat=True).order_by())


def test_the_stored_reference_is_what_the_reference_script_computes() -> None:
    spec = importlib.util.spec_from_file_location(
        "open311_reference", HERE / "reference" / "open311_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.compute() == REFERENCE


def test_every_request_becomes_one_digital_form_inquiry_keyed_by_its_id(
    nordby: Municipality,
) -> None:
    result = _json()
    reference = REFERENCE["json"]
    assert result.rows_read == result.created == reference["rows"] == 12
    assert Counter(Inquiry.objects.values_list("channel", flat=True)) == {
        Channel.DIGITAL_FORM: reference["rows"]
    }
    keys = sorted(str(k) for k in Inquiry.objects.values_list("source_key", flat=True))
    assert keys == [f"open311:{i}" for i in reference["ids"]]
    # A numeric id in the JSON (638344) is kept as its digits.
    assert Inquiry.objects.filter(source_key="open311:638344").exists()
    assert set(Inquiry.objects.values_list("time_of_day_known", flat=True)) == {True}
    assert set(Inquiry.objects.values_list("service_point", flat=True)) == {None}


def test_services_are_found_by_code_then_name_and_unknown_ones_are_counted(
    nordby: Municipality,
) -> None:
    result = _json()
    service = REFERENCE["json"]["by_service"]
    assert _service_codes() == {
        "report-roads": service["report-roads | Hull i veien"],
        "ideas-proposals": service["ideas-proposals | Ideas"],
        # A city's own code that the catalogue lacks, then the name: its Norwegian name, its
        # English name ("Pests" is the code's text), a synonym ("full søppelkasse", "tagging").
        "report-street-lights": service["STREETLIGHT | Gatelys"],
        "report-water-sewer": service["WATER | Vannlekkasje og avløp"],
        "report-pests": service["PESTS | Rotter"] + service[" | Skadedyr"],
        "report-urban-furniture": service["BIN | Full søppelkasse"],
        "report-other": service["TAG-01 | Tagging"],
        None: service["ABANDONED-BIKE | Forlatt sykkel"] + service[" | "],
    }
    assert result.notes == [
        "1 request(s) with a service the catalogue does not have, kept without a service: "
        "'ABANDONED-BIKE' (1)"
    ]


def test_requests_fall_on_the_local_day_of_their_time_with_its_offset(
    nordby: Municipality,
) -> None:
    _json()
    by_day = Counter(
        f"{instant.astimezone(OSLO):%Y-%m-%d}"
        for instant in Inquiry.objects.values_list("occurred_at", flat=True)
    )
    assert dict(by_day) == REFERENCE["json"]["by_day"]
    # 23:30 UTC on 30 March is 00:30 on 31 March in Oslo.
    late = Inquiry.objects.get(source_key="open311:NB-2024-0003").occurred_at
    assert late == dt.datetime(2024, 3, 30, 23, 30, tzinfo=dt.UTC)
    # 02:30 happens twice on 27 October 2024; the offsets tell the two apart.
    first = Inquiry.objects.get(source_key="open311:NB-2024-0009").occurred_at
    second = Inquiry.objects.get(source_key="open311:NB-2024-0010").occurred_at
    assert second - first == dt.timedelta(hours=1)


def test_a_status_is_no_first_line_outcome_unless_the_option_says_so(
    nordby: Municipality,
) -> None:
    _json()
    statuses = REFERENCE["json"]["by_status"]
    assert Counter(Inquiry.objects.values_list("outcome", flat=True)) == {
        Outcome.NOT_RECORDED: statuses["open"] + statuses["closed"]
    }
    result = _json(force=True, options={"closed_outcome": "resolved"})
    assert result.updated == statuses["closed"] == 6
    assert Counter(Inquiry.objects.values_list("outcome", flat=True)) == {
        Outcome.RESOLVED: statuses["closed"],
        Outcome.NOT_RECORDED: statuses["open"],
    }
    with pytest.raises(ImportRefused, match="closed_outcome option takes"):
        _json(force=True, options={"closed_outcome": "done"})


def test_reimporting_the_requests_adds_nothing(nordby: Municipality) -> None:
    _json()
    assert _json().already_imported
    again = _json(force=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 12)
    assert Inquiry.objects.count() == 12


def test_a_later_csv_export_updates_the_requests_it_repeats(nordby: Municipality) -> None:
    options = {"closed_outcome": "resolved"}
    _json(options=options)
    result = _csv(options=options)
    both = REFERENCE["json_then_csv"]
    assert both["in_both"] == ["NB-2024-0002", "NB-2024-0004"]
    # NB-2024-0002 was closed in the meantime; NB-2024-0004 is as it was.
    assert (result.created, result.updated, result.unchanged) == (
        REFERENCE["csv"]["rows"] - 2,
        1,
        1,
    )
    assert Inquiry.objects.count() == both["rows"] == 15
    assert Counter(Inquiry.objects.values_list("outcome", flat=True)) == {
        Outcome.RESOLVED: both["by_status"]["closed"],
        Outcome.NOT_RECORDED: both["by_status"]["open"],
    }


def test_a_request_without_a_required_key_is_named_by_its_number_and_key(
    nordby: Municipality,
) -> None:
    with pytest.raises(ImportFailed) as failure:
        run_import("open311", DATA / "open311_malformed.json", municipality="nordby")
    found = [(issue.row, issue.column, issue.value) for issue in failure.value.issues]
    assert found == [
        (2, "service_request_id", ""),
        (3, "status", ""),
        (4, "status", "pending"),
        (5, "requested_datetime", "yesterday"),
        (6, "requested_datetime", ""),
        (7, None, None),
    ]
    message = str(failure.value)
    assert (
        "open311_malformed.json, request 2, key 'service_request_id': "
        "is missing (the object has no such key)"
    ) in message
    assert "request 3, key 'status': is empty" in message
    assert "request 6, key 'requested_datetime': is missing" in message
    assert "request 7: repeats request 1 (service_request_id OK-1)" in message
    assert Inquiry.objects.count() == 0


def test_personal_fields_are_never_stored_and_the_summary_says_they_are_ignored(
    nordby: Municipality,
) -> None:
    out = io.StringIO()
    call_command(
        "import_data",
        "open311",
        str(DATA / "open311_requests.json"),
        municipality="nordby",
        stdout=out,
    )
    summary = out.getvalue()
    assert "ignored columns: status_notes, description, agency_responsible" in summary
    for name in PERSONAL_FIELDS:
        assert name in summary.split("ignored columns:")[1]
    _csv()
    texts = REFERENCE["json"]["personal_text"] + REFERENCE["csv"]["personal_text"]
    text_columns = [
        f.attname
        for f in Inquiry._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField")
    ]
    stored = [str(v) for row in Inquiry.objects.values_list(*text_columns) for v in row]
    dump = io.StringIO()
    call_command("dumpdata", "inquiries", "imports", stdout=dump)
    for text in texts:
        assert not any(text in value for value in stored), text
        assert text not in dump.getvalue(), text
    for fragment in ("Nordmann", "Hansen", "Olsen", "example.no", "example.org", "Storgata"):
        assert fragment not in dump.getvalue()


def test_a_file_that_is_not_an_array_of_requests_is_refused(
    nordby: Municipality, tmp_path: Path
) -> None:
    cases = {
        '{"service_request_id": "1"}': "expected a JSON array of objects, one per request",
        "[]": "the JSON array is empty",
        '[{"service_request_id": "1"}, "2"]': "request 2: expected a JSON object",
        '[{"service_request_id": "1",}]': "is not valid JSON",
    }
    for text, message in cases.items():
        path = tmp_path / "requests.json"
        path.write_text(text, "utf-8")
        with pytest.raises(ImportRefused, match=message):
            run_import("open311", path, municipality="nordby", force=True)


def test_the_site_and_service_point_can_be_named(nordby: Municipality) -> None:
    make_site(nordby, "Hovedbiblioteket", code="hoved")
    with pytest.raises(ImportRefused, match="name one with the site option"):
        _json()
    with pytest.raises(ImportRefused, match="no service point 'Skranke'"):
        _json(options={"site": "radhus", "service_point": "Skranke"})
    result = _json(options={"site": "radhus", "service_point": "servicetorget"})
    assert result.created == 12
    assert set(Inquiry.objects.values_list("site__code", "service_point__name")) == {
        ("radhus", "Servicetorget")
    }


def test_the_same_request_ids_in_another_municipality_stay_apart(nordby: Municipality) -> None:
    _json()
    other = make_municipality("sorby", name="Sørby", number="3098")
    make_site(other, "Sørby rådhus")
    result = run_import("open311", DATA / "open311_requests.json", municipality="sorby")
    assert result.created == 12
    assert Inquiry.objects.filter(municipality=nordby).count() == 12
    # Sørby has no catalogue of its own, and Nordby's is never used for it.
    assert not Inquiry.objects.filter(municipality=other, service__isnull=False).exists()
    assert Inquiry.objects.filter(municipality=nordby, service__isnull=False).count() == 10
