"""Alessandria's library entries and citizen reports against figures computed with awk from
the raw files (``reference/alessandria.json``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count, Sum

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.demo.setup import ensure_alessandria
from torg.imports.framework import ImportRefused, ImportResult, run_import
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site
from torg.testing.factories import demo_data_file, make_municipality, make_site
from torg.visits.models import CountMethod, VisitCount

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "alessandria.json").read_text("utf-8")
)
ROME = zone("Europe/Rome")
MONTHS = [
    "Gennaio",
    "Febbraio",
    "Marzo",
    "Aprile",
    "Maggio",
    "Giugno",
    "Luglio",
    "Agosto",
    "Settembre",
    "Ottobre",
    "Novembre",
    "Dicembre",
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def alessandria() -> Municipality:
    return ensure_alessandria()


def _entries(year: int, **kwargs: Any) -> ImportResult:
    return run_import(
        "alessandria-library-entries",
        demo_data_file(f"alessandria/ingressi-biblioteca-{year}.csv"),
        municipality="alessandria",
        **kwargs,
    )


def _reports(**kwargs: Any) -> ImportResult:
    return run_import(
        "alessandria-citizen-reports",
        demo_data_file("alessandria/segnalazioni-municipium.csv"),
        municipality="alessandria",
        **kwargs,
    )


def test_library_entries_match_the_files_month_by_month(alessandria: Municipality) -> None:
    for year in (2021, 2022, 2023, 2024):
        _entries(year)
    library = Site.objects.get(municipality=alessandria, code="biblioteca")
    stored: dict[str, dict[str, int]] = defaultdict(dict)
    for visit in VisitCount.objects.filter(site=library):
        local = visit.period_start.astimezone(ROME)
        assert (local.day, local.hour, local.minute) == (1, 0, 0)
        stored[str(local.year)][MONTHS[local.month - 1]] = visit.count
    assert stored == {year: ref["months"] for year, ref in REFERENCE["entries"].items()}
    for year, ref in REFERENCE["entries"].items():
        assert sum(stored[year].values()) == ref["entries"], year


def test_di_cui_is_a_part_of_the_entries_and_is_not_counted_twice(
    alessandria: Municipality,
) -> None:
    result = _entries(2024)
    assert result.created == REFERENCE["entries"]["2024"]["rows"] == 12
    counts = VisitCount.objects.filter(municipality=alessandria)
    assert counts.count() == 12
    assert counts.aggregate(total=Sum("count"))["total"] == REFERENCE["entries"]["2024"]["entries"]
    assert set(counts.values_list("entrance", flat=True)) == {""}
    assert set(counts.values_list("method", flat=True)) == {CountMethod.REPORTED}
    of_which = sum(int(note.split()[2]) for note in counts.values_list("note", flat=True))
    assert of_which == REFERENCE["entries"]["2024"]["of_which"]


def test_months_are_local_calendar_months_in_rome(alessandria: Municipality) -> None:
    _entries(2024)
    march = VisitCount.objects.get(municipality=alessandria, count=1074)
    # 1 March is still winter time (UTC+1); 1 April is summer time (UTC+2).
    assert march.period_start == dt.datetime(2024, 2, 29, 23, 0, tzinfo=dt.UTC)
    assert march.period_end == dt.datetime(2024, 3, 31, 22, 0, tzinfo=dt.UTC)


def test_a_file_name_without_a_year_is_refused(alessandria: Municipality, tmp_path: Path) -> None:
    renamed = tmp_path / "ingressi-biblioteca.csv"
    shutil.copy(demo_data_file("alessandria/ingressi-biblioteca-2023.csv"), renamed)
    with pytest.raises(ImportRefused, match="year of the counts must be in the file name"):
        run_import("alessandria-library-entries", renamed, municipality="alessandria")
    assert not VisitCount.objects.exists()


def test_reimporting_the_entries_adds_nothing(alessandria: Municipality) -> None:
    _entries(2023)
    assert _entries(2023).already_imported
    forced = _entries(2023, force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, 12)
    assert VisitCount.objects.count() == 12


@pytest.fixture
def roads_and_parks(alessandria: Municipality) -> dict[str, Service]:
    """Two of the services the category mapping names; the others are left out on purpose."""
    category = ServiceCategory.objects.create(
        municipality=alessandria, code="reports", name_nb="Meldinger", name_en="Reports"
    )
    return {
        code: Service.objects.create(
            municipality=alessandria,
            category=category,
            code=code,
            name_nb=code,
            name_en=code,
            domain=Domain.MUNICIPAL,
            level=Level.GENERALIST,
        )
        for code in ("report-roads", "report-parks")
    }


def test_every_report_becomes_one_inquiry_with_the_documented_outcome(
    roads_and_parks: dict[str, Service],
) -> None:
    result = _reports()
    reports = REFERENCE["reports"]
    assert result.rows_read == result.created == reports["rows"] == 4651
    states = reports["by_state"]
    outcomes = dict(
        Inquiry.objects.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    assert outcomes == {
        Outcome.RESOLVED: states["chiusa"] + states["archiviata"],
        Outcome.REFERRED_INTERNAL: states["aperta"] + states["in carico"],
        Outcome.NOT_RESOLVED: states["annullata"] + states["eliminata"],
    }


def test_categories_map_to_services_and_the_rest_stay_unknown(
    roads_and_parks: dict[str, Service],
) -> None:
    _reports()
    categories = REFERENCE["reports"]["by_category"]
    roads = Inquiry.objects.filter(service=roads_and_parks["report-roads"]).count()
    parks = Inquiry.objects.filter(service=roads_and_parks["report-parks"]).count()
    assert roads == categories["Buche"]
    assert parks == categories["Verde pubblico"]
    without = Inquiry.objects.filter(service__isnull=True)
    assert without.count() == REFERENCE["reports"]["rows"] - roads - parks
    assert set(without.values_list("domain", flat=True)) == {InquiryDomain.UNKNOWN}
    assert Inquiry.objects.filter(domain=InquiryDomain.MUNICIPAL).count() == roads + parks


def test_reports_are_dated_at_local_midnight_with_the_time_unknown(
    alessandria: Municipality,
) -> None:
    _reports()
    inquiries = Inquiry.objects.filter(municipality=alessandria)
    assert not inquiries.filter(time_of_day_known=True).exists()
    by_year = Counter(
        inquiry.astimezone(ROME).year for inquiry in inquiries.values_list("occurred_at", flat=True)
    )
    assert {str(y): n for y, n in by_year.items()} == REFERENCE["reports"]["by_year_created"]
    first = inquiries.get(source_key=f"municipium:{REFERENCE['reports']['first']['id']}")
    # 8 May 2023 is summer time in Rome: local midnight is 22:00 UTC the day before.
    assert first.occurred_at == dt.datetime(2023, 5, 7, 22, 0, tzinfo=dt.UTC)
    assert first.service_point is not None
    assert first.service_point.name == "App Municipium"
    assert first.channel == Channel.DIGITAL_FORM
    assert first.site.code == "comune"
    last = max(inquiries.values_list("occurred_at", flat=True)).astimezone(ROME)
    assert last.date().isoformat() == REFERENCE["reports"]["last_created"]


def test_reimporting_the_reports_adds_nothing(alessandria: Municipality) -> None:
    _reports()
    assert _reports().already_imported
    forced = _reports(force=True)
    assert (forced.created, forced.updated) == (0, 0)
    assert Inquiry.objects.count() == REFERENCE["reports"]["rows"]


def test_reports_need_the_citizen_service_site() -> None:
    elsewhere = make_municipality("elsewhere", country="IT", number="001001")
    make_site(elsewhere, "Biblioteca", code="biblioteca")
    with pytest.raises(ImportRefused, match="no site with code 'comune'"):
        run_import(
            "alessandria-citizen-reports",
            demo_data_file("alessandria/segnalazioni-municipium.csv"),
            municipality="elsewhere",
        )
