"""Every profile's dates and numbers at their limits: a year outside the ones Torg accepts
(1900–2100), wherever the profile finds it (a date cell, a year column, an ISO interval,
a US date, the file name), and a number larger than the database stores, are a clear bad
cell (or, for the file name, a refused file), never a traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from torg.demo.setup import ensure_alessandria
from torg.imports.framework import ImportFailed, ImportRefused, Issue, run_import
from torg.imports.models import ImportBatch
from torg.inquiries.models import Inquiry
from torg.organisation.models import Municipality, SiteKind
from torg.testing.factories import demo_data_file, make_municipality, make_site
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount

OUTSIDE = "is outside the years Torg accepts (1900–2100)"

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def issues_of(profile: str, path: Path, municipality: str | None) -> list[Issue]:
    with pytest.raises(ImportFailed) as caught:
        run_import(profile, path, municipality=municipality)
    assert not ImportBatch.objects.exists()
    return caught.value.issues


def where(issues: list[Issue]) -> list[tuple[int | None, str | None, str | None]]:
    return [(i.row, i.column, i.value) for i in issues]


# --- Alessandria: the year is in the file name ------------------------------------------


def test_alessandria_refuses_a_file_named_for_a_year_torg_does_not_accept(tmp_path):
    ensure_alessandria()
    path = write(tmp_path, "ingressi-biblioteca-2103.csv", ["Mese;Ingressi", "Gennaio;5"])
    with pytest.raises(ImportRefused) as caught:
        run_import("alessandria-library-entries", path, municipality="alessandria")
    assert str(caught.value) == (
        "ingressi-biblioteca-2103.csv: the year in the file name, 2103, is outside the years "
        "Torg accepts (1900–2100)."
    )
    assert not VisitCount.objects.exists()


def test_alessandria_imports_december_of_the_last_year_torg_accepts(tmp_path):
    ensure_alessandria()
    path = write(tmp_path, "ingressi-biblioteca-2100.csv", ["Mese;Ingressi", "Dicembre;5"])
    assert run_import("alessandria-library-entries", path, municipality="alessandria").created == 1


def test_alessandria_reports_a_creation_date_outside_the_years_and_a_huge_count(tmp_path):
    ensure_alessandria()
    reports = write(
        tmp_path,
        "segnalazioni-municipium.csv",
        [
            "Id;Stato;Anno;Creato;Chiusa;DescrizioneBreve;Categoria",
            "1;chiusa;2023;2023-05-08;2023-05-25;App Municipium;Buche",
            "2;chiusa;2023;0001-05-10;2023-05-16;App Municipium;Buche",
        ],
    )
    (issue,) = issues_of("alessandria-citizen-reports", reports, "alessandria")
    assert (issue.row, issue.column, issue.value) == (3, "Creato", "0001-05-10")
    assert issue.reason == f"0001-05-10 {OUTSIDE}"
    assert not Inquiry.objects.exists()
    entries = write(
        tmp_path, "ingressi-biblioteca-2023.csv", ["Mese;Ingressi", "Gennaio;99999999999"]
    )
    (issue,) = issues_of("alessandria-library-entries", entries, "alessandria")
    assert (issue.row, issue.column) == (2, "Ingressi")
    assert "the largest count Torg stores" in issue.reason


# --- Toronto: a Year column -------------------------------------------------------------


def test_toronto_refuses_a_year_of_visits_outside_the_years_torg_accepts(tmp_path):
    toronto = make_municipality("toronto", number="3520005", country="CA")
    make_site(toronto, "Albion", code="AB", kind=SiteKind.LIBRARY, time_zone="America/Toronto")
    path = write(
        tmp_path,
        "visits.csv",
        [
            "_id,Year,BranchCode,Visits",
            "1,2022,AB,100",
            "2,1800,AB,100",
            "3,2101,AB,100",
            "4,2023,AB,3000000000",
        ],
    )
    issues = issues_of("toronto-visits", path, "toronto")
    assert where(issues) == [
        (3, "Year", "1800"),
        (4, "Year", "2101"),
        (5, "Visits", "3000000000"),
    ]
    assert issues[0].reason == f"1800 {OUTSIDE}"


def test_toronto_keeps_branches_opened_in_the_nineteenth_century(tmp_path):
    make_municipality("toronto", number="3520005", country="CA")
    path = write(
        tmp_path,
        "branches.csv",
        [
            "BranchCode,BranchName,Address,PresentSiteYear",
            "AB,Albion,1515 Albion Rd,1888",
            "XX,Nowhere,,1066",
        ],
    )
    (issue,) = issues_of("toronto-branches", path, "toronto")
    assert (issue.row, issue.column, issue.value) == (3, "PresentSiteYear", "1066")
    assert issue.reason == "1066 is not a year from 1800 to 2100"


# --- England: ISO 8601 intervals -------------------------------------------------------


@pytest.fixture
def england_authority() -> Municipality:
    municipality = make_municipality("city-of-london", number="E09000001", country="GB")
    make_site(
        municipality,
        "Library buildings",
        code="library-buildings",
        kind=SiteKind.LIBRARY,
        time_zone="Europe/London",
    )
    return municipality


def test_england_visits_refuse_intervals_outside_the_years_torg_accepts(
    tmp_path, england_authority
):
    path = write(
        tmp_path,
        "visits.csv",
        [
            "Authority,Location,Period,Count",
            "E09000001,Library,2023-04-01/P1M,10",
            "E09000001,Library,0001-01-01/P1M,10",
            "E09000001,Library,2023-04-01/P99999Y,10",
            "E09000001,Library,2023-04-01/P999999999999D,10",
            "E09000001,Library,2100-12-01/P2M,10",
        ],
    )
    issues = issues_of("england-ace-visits", path, None)
    assert [(i.row, i.column) for i in issues] == [(r, "Period") for r in (3, 4, 5, 6)]
    assert issues[0].reason == f"0001-01-01 {OUTSIDE}"
    assert issues[1].reason == "the interval ends after the years Torg accepts (up to 2100)"
    assert issues[2].reason == "the interval ends after the years Torg accepts (up to 2100)"
    assert issues[3].reason == "the interval ends after the years Torg accepts (up to 2100)"
    assert not VisitCount.objects.exists()


@pytest.mark.parametrize("profile", ["england-ace-events", "england-ace-event-attendance"])
def test_england_events_refuse_an_interval_outside_the_years_as_a_bad_cell(
    tmp_path, england_authority, profile
):
    path = write(
        tmp_path,
        "events.csv",
        [
            "Authority,Event type,Age group,Period,Count",
            "E09000001,Physical,Adult,2023-04-01/P3M,364",
            "E09000001,Physical,Adult,9999-07-01/P3M,194",
            "E09000001,Digital,Adult,2023-04-01/P3M,99999999999",
        ],
    )
    issues = issues_of(profile, path, None)
    assert where(issues) == [(3, "Period", "9999-07-01/P3M"), (4, "Count", "99999999999")]
    assert not Event.objects.exists()


# --- BAMPFA: US dates ------------------------------------------------------------------


def test_the_desk_log_refuses_us_dates_outside_the_years_torg_accepts(tmp_path):
    bampfa = make_municipality("bampfa", number="06001", country="US")
    make_site(bampfa, "PFA Library", code="pfa", time_zone="America/Los_Angeles")
    path = write(
        tmp_path,
        "libstats.csv",
        [
            "Timestamp,interaction source,successful interaction?,Date if not today",
            "1/6/2020 10:18:38,walk in,Yes,",
            "1/6/0020 10:18:38,walk in,Yes,",
            "1/7/2020 10:18:38,email,No,1/3/1776",
        ],
    )
    issues = issues_of("bampfa-desk-log", path, "bampfa")
    assert where(issues) == [
        (3, "Timestamp", "1/6/0020 10:18:38"),
        (4, "Date if not today", "1/3/1776"),
    ]
    assert issues[1].reason == f"1776-01-03 {OUTSIDE}"
    assert not Inquiry.objects.exists()


# --- The UK library data schema: ISO dates ---------------------------------------------


def test_barnet_events_and_uk_schema_visits_refuse_dates_outside_the_years(tmp_path):
    barnet = make_municipality("barnet", number="E09000003", country="GB")
    make_site(barnet, "Chipping Barnet", kind=SiteKind.LIBRARY, time_zone="Europe/London")
    events = write(
        tmp_path,
        "events_barnet.csv",
        [
            "Local authority,Library name,Event date,Name,Outcome,Attendees",
            "Barnet,Chipping Barnet,2018-04-03,Lego,x,12",
            "Barnet,Chipping Barnet,0218-04-03,Lego,x,12",
        ],
    )
    (issue,) = issues_of("barnet-events", events, "barnet")
    assert (issue.row, issue.column, issue.reason) == (3, "Event date", f"0218-04-03 {OUTSIDE}")
    visits = write(
        tmp_path,
        "physical_visits.csv",
        [
            "Local authority,Library name,Count start,Count end,Count type,Visits",
            "Barnet,Chipping Barnet,2019-01-01,2019-01-31,Manual,120",
            "Barnet,Chipping Barnet,2019-02-01,9999-12-31,Manual,120",
        ],
    )
    (issue,) = issues_of("uk-schema-visits", visits, "barnet")
    assert (issue.row, issue.column, issue.reason) == (3, "Count end", f"9999-12-31 {OUTSIDE}")


# --- Norway 2020: numbers larger than the columns ---------------------------------------


def test_norway_refuses_a_count_and_an_amount_larger_than_their_columns(tmp_path):
    source = demo_data_file("norway-nb-2020/folkebibl-2020-kommuner.csv")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    visits, fte = header.index("Besøk totalt"), header.index("Antall årsverk")
    rows[1][visits] = "3 000 000 000"
    rows[2][fte] = "1 234 567,5"  # a DecimalField(max_digits=8, decimal_places=2)
    path = tmp_path / "folkebibl-2020-kommuner.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    issues = issues_of("nb-folkebibliotek-2020", path, None)
    # The header spans several lines (quoted line breaks): rows are counted in lines.
    assert [(i.column, i.value) for i in issues] == [
        ("Besøk totalt", "3 000 000 000"),
        (None, "1234567.5"),
    ]
    assert issues[1].row == issues[0].row + 1  # type: ignore[operator]
    assert "the largest count Torg stores" in issues[0].reason
    assert issues[1].reason == (
        "full_time_equivalents cannot be above 999,999.99, the limit of what Torg stores"
    )
    assert not AnnualLibraryStatistics.objects.exists()
