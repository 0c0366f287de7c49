"""Barnet's library events against figures computed with awk from the raw file
(``reference/barnet_events.json``). The file is not shipped: these tests read it from
``../shared/data`` and skip when it is absent."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from torg.imports.framework import ImportFailed, ImportResult, run_import
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, SiteKind
from torg.testing.factories import make_municipality, make_site, shared_data_file
from torg.visits.models import Audience, Event, EventNameMapping, EventType, event_name_key

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "barnet_events.json").read_text("utf-8")
)
LONDON = zone("Europe/London")
FILE = "library-events/events_barnet.csv"

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture
def barnet() -> Municipality:
    """Barnet with its 14 libraries (the file's library names; the tests create the sites,
    since the profile does not)."""
    municipality = make_municipality("barnet", number="E09000003", country="GB")
    for name in REFERENCE["by_library"]:
        if name != "Outreach Location":
            make_site(municipality, name, kind=SiteKind.LIBRARY, time_zone="Europe/London")
    return municipality


def _import(path: Path | None = None, **kwargs: Any) -> ImportResult:
    return run_import(
        "barnet-events", path or shared_data_file(FILE), municipality="barnet", **kwargs
    )


def test_every_row_becomes_one_event_with_its_attendance(barnet: Municipality) -> None:
    result = _import()
    assert result.rows_read == result.created == REFERENCE["rows"] == 4312
    events = Event.objects.filter(municipality=barnet)
    assert events.aggregate(total=Sum("attendance"))["total"] == REFERENCE["attendance_total"]
    assert events.filter(attendance=0).count() == REFERENCE["attendance_zero"]
    assert not events.filter(attendance__isnull=True).exists()
    assert set(events.values_list("occurrences", flat=True)) == {1}


def test_events_are_at_their_library_and_outreach_has_no_site(barnet: Municipality) -> None:
    _import()
    for name, expected in REFERENCE["by_library"].items():
        if name == "Outreach Location":
            at = Event.objects.filter(site__isnull=True)
        else:
            at = Event.objects.filter(site__name=name)
        stored = {"rows": at.count(), "attendance": at.aggregate(total=Sum("attendance"))["total"]}
        assert stored == expected, name


def test_event_names_are_matched_without_regard_to_case(barnet: Municipality) -> None:
    _import()
    by_name = Counter(t.casefold() for t in Event.objects.values_list("title", flat=True))
    assert dict(by_name) == REFERENCE["by_name_lowercase"]
    # "Other Child 5+" and "Other child 5+" are one kind of event.
    other_child = Event.objects.filter(title__iexact="other child 5+")
    assert other_child.count() == REFERENCE["by_name_lowercase"]["other child 5+"] == 136
    assert set(other_child.values_list("audience", "event_type")) == {
        (Audience.CHILDREN, EventType.UNSPECIFIED)
    }
    assert set(
        Event.objects.filter(title="Baby Rhyme Time").values_list("audience", flat=True)
    ) == {Audience.CHILDREN}
    assert set(Event.objects.filter(title="IT").values_list("event_type", flat=True)) == {
        EventType.DIGITAL_HELP
    }


def test_dates_are_local_days_and_stray_years_are_kept(barnet: Municipality) -> None:
    _import()
    years = Counter(
        str(s.astimezone(LONDON).year) for s in Event.objects.values_list("starts_at", flat=True)
    )
    assert dict(years) == REFERENCE["by_year"]
    first = Event.objects.filter(site__name="Burnt Oak").order_by("starts_at").first()
    assert first is not None
    # 12 January 2018 is winter time (GMT): local midnight is midnight UTC.
    assert first.starts_at == dt.datetime(2018, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert first.ends_at is None


def test_repeats_on_one_day_are_separate_events_and_reimporting_adds_nothing(
    barnet: Municipality,
) -> None:
    _import()
    assert (
        Event.objects.filter(source_key__endswith=":2").count()
        <= (REFERENCE["repeated_library_date_name"])
    )
    assert (
        Event.objects.exclude(source_key__endswith=":1").count()
        == (REFERENCE["repeated_library_date_name"])
    )
    assert _import().already_imported
    forced = _import(force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, 4312)
    assert Event.objects.count() == 4312


def test_an_unknown_library_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    municipality = make_municipality("barnet", number="E09000003", country="GB")
    make_site(municipality, "Colindale", kind=SiteKind.LIBRARY, time_zone="Europe/London")
    with pytest.raises(ImportFailed) as failure:
        _import()
    issues = failure.value.issues
    assert {i.column for i in issues} == {"Library name"}
    assert "Burnt Oak" in {i.value for i in issues}
    assert len(issues) == REFERENCE["rows"] - 785 - 9  # all but Colindale and outreach
    assert not Event.objects.exists()


def test_an_unknown_kind_of_event_is_an_error_naming_it(
    barnet: Municipality, tmp_path: Path
) -> None:
    changed = tmp_path / "events.csv"
    shutil.copy(shared_data_file(FILE), changed)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace(",Lego,", ",Robot club,", 1), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        _import(changed)
    assert [(i.column, i.value) for i in failure.value.issues] == [
        (None, None),
        ("Name", "Robot club"),
    ]


def test_every_bad_cell_of_a_row_is_reported_in_plain_words(tmp_path: Path) -> None:
    municipality = make_municipality("barnet", number="E09000003", country="GB")
    make_site(municipality, "Colindale", kind=SiteKind.LIBRARY, time_zone="Europe/London")
    path = tmp_path / "events.csv"
    path.write_text(
        "Local authority,Library name,Event date,Name,Outcome,Attendees\n"
        "Barnet,Nowhere Library,2019-02-30,Robot club,x,abc\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failure:
        _import(path)
    issues = failure.value.issues
    assert [(i.row, i.column, i.value) for i in issues] == [
        (None, None, None),
        (2, "Library name", "Nowhere Library"),
        (2, "Event date", "2019-02-30"),
        (2, "Name", "Robot club"),
        (2, "Attendees", "abc"),
    ]
    assert issues[2].reason == "30 February 2019 is not a date (February 2019 has 28 days)"
    assert "out of range" not in str(failure.value)
    assert not Event.objects.exists()


def test_unknown_event_names_are_named_once_for_the_user_without_pointing_at_code(
    tmp_path: Path,
) -> None:
    municipality = make_municipality("barnet", number="E09000003", country="GB")
    make_site(municipality, "Colindale", kind=SiteKind.LIBRARY, time_zone="Europe/London")
    path = tmp_path / "events.csv"
    path.write_text(
        "Local authority,Library name,Event date,Name,Outcome,Attendees\n"
        "Barnet,Colindale,2019-02-01,Robot club,x,3\n"
        "Barnet,Colindale,2019-02-02,Lego,x,4\n"
        "Barnet,Colindale,2019-02-03,robot club,x,5\n"
        "Barnet,Colindale,2019-02-04,Chess,x,6\n"
        "Barnet,Colindale,2019-02-05,Robot club,x,7\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failure:
        _import(path)
    file_note, *rows = failure.value.issues
    assert file_note.row is None
    # 26 names in EVENT_KINDS, counted by hand in barnet.py.
    assert file_note.reason == (
        "2 event name(s) are not in the mapping of event names to types and audiences, "
        "which knows 26 names: 'Robot club' (3 rows), 'Chess' (1 row). "
        "The file can be imported once they are in the mapping; add them with their type "
        "and audience on the event names page."
    )
    assert [i.row for i in rows] == [2, 4, 5, 6]
    assert "add it on the event names page" in rows[0].reason
    message = str(failure.value)
    assert "EVENT_KINDS" not in message and "edit" not in message.casefold()


def test_the_municipalitys_own_mapping_rows_add_names_and_override_defaults(
    tmp_path: Path,
) -> None:
    municipality = make_municipality("barnet", number="E09000003", country="GB")
    make_site(municipality, "Colindale", kind=SiteKind.LIBRARY, time_zone="Europe/London")
    EventNameMapping.objects.create(
        municipality=municipality,
        source="barnet",
        name_key=event_name_key("Robot  CLUB"),
        event_type=EventType.TRAINING,
        audience=Audience.CHILDREN,
    )
    EventNameMapping.objects.create(
        municipality=municipality,
        source="barnet",
        name_key=event_name_key("Lego"),
        event_type=EventType.TRAINING,
        audience=Audience.ALL,
    )
    path = tmp_path / "events.csv"
    path.write_text(
        "Local authority,Library name,Event date,Name,Outcome,Attendees\n"
        "Barnet,Colindale,2019-02-01,Robot club,x,3\n"
        "Barnet,Colindale,2019-02-02,LEGO,x,4\n"
        "Barnet,Colindale,2019-02-03,robot Club,x,5\n"
        "Barnet,Colindale,2019-02-04,Class Visits Primary,x,30\n",
        encoding="utf-8",
    )
    _import(path)
    rows = {
        (e.title, e.event_type, e.audience, e.for_schools_kindergartens)
        for e in Event.objects.filter(municipality=municipality)
    }
    assert rows == {
        ("Robot club", "training", "children", False),
        ("robot Club", "training", "children", False),
        ("LEGO", "training", "all", False),
        ("Class Visits Primary", "library_information", "children", True),
    }
