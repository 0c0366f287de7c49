"""Tulsa Community College's hourly head counts by area against figures computed with awk
from the raw files (``reference/tulsa_head_counts.awk`` → ``tulsa_head_counts.json``).
The files are not shipped: these tests read them from ``../shared/data`` and skip when
they are absent."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db.models import Sum
from django.db.models.functions import ExtractYear

from torg.imports.framework import ImportFailed, ImportRefused, run_import
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, SiteKind
from torg.testing.factories import make_municipality, make_site, shared_data_file
from torg.visits.models import ZoneHeadCount

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "tulsa_head_counts.json").read_text("utf-8")
)
CHICAGO = zone("America/Chicago")

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture
def tulsa() -> Municipality:
    municipality = make_municipality("tulsa", number="4075000", country="US")
    for name in ("SEC", "Metro"):
        make_site(municipality, name, kind=SiteKind.LIBRARY, time_zone="America/Chicago")
    return municipality


@pytest.mark.parametrize(
    "file_name, site", [("SEC Archive.csv", "SEC"), ("Metro Archive.csv", "Metro")]
)
def test_the_sweeps_match_the_raw_file(tulsa: Municipality, file_name: str, site: str) -> None:
    expected = REFERENCE[file_name]
    result = run_import(
        "tulsa-head-counts",
        shared_data_file(f"library-visits/tulsa-cc-patron-counts/{file_name}"),
        municipality="tulsa",
        options={"site": site},
    )
    assert result.rows_read == expected["rows"]
    assert result.skipped == expected["repeats"]
    areas = len(expected["by_area"])
    assert result.created == expected["sweeps"] * areas
    notes = " ".join(result.notes)
    assert f"{expected['repeats']} row(s) repeat" in notes
    assert f"({expected['repeats_differing']} of them with other figures)" in notes
    if expected["total_mismatches"]:
        assert f"{expected['total_mismatches']} row(s) have a Total" in notes
    counts = ZoneHeadCount.objects.filter(municipality=tulsa, site__name=site)
    assert counts.values("sweep_at").distinct().count() == expected["sweeps"]
    assert counts.aggregate(people=Sum("count"))["people"] == expected["people"]
    by_area = dict(counts.values_list("zone").annotate(n=Sum("count")).values_list("zone", "n"))
    assert by_area == expected["by_area"]
    by_year = {
        str(year): people
        for year, people in counts.annotate(year=ExtractYear("sweep_at", tzinfo=CHICAGO))
        .values_list("year")
        .annotate(n=Sum("count"))
        .values_list("year", "n")
    }
    assert by_year == expected["by_year"]
    assert set(counts.values_list("service", flat=True)) == {"library"}


def test_the_first_sweep_is_at_its_local_time_and_a_reimport_adds_nothing(
    tulsa: Municipality,
) -> None:
    path = shared_data_file("library-visits/tulsa-cc-patron-counts/Metro Archive.csv")
    run_import("tulsa-head-counts", path, municipality="tulsa", options={"site": "Metro"})
    first = ZoneHeadCount.objects.filter(site__name="Metro").order_by("sweep_at").first()
    assert first is not None
    assert first.sweep_at.astimezone(CHICAGO) == dt.datetime(2019, 8, 19, 8, 30, tzinfo=CHICAGO)
    assert first.sweep_at.astimezone(dt.UTC).hour == 13  # CDT is UTC−5
    again = run_import(
        "tulsa-head-counts", path, municipality="tulsa", options={"site": "Metro"}, force=True
    )
    assert again.created == 0


def test_bad_cells_are_named_and_nothing_is_imported(tulsa: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(
        "Semester,Date,DayOfWeek,Time,Computers,Quiet,Total\n"
        "Fall 2019,8/19/2019,Monday,8:30 AM,4,2,6\n"
        "Fall 2019,8/20/2019,Tuesday,25:30 PM,4,2,6\n"
        "Fall 2019,8/21/2019,Wednesday,8:30 AM,,2,2\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("tulsa-head-counts", path, municipality="tulsa", options={"site": "SEC"})
    reasons = {(issue.row, issue.column): issue.reason for issue in failure.value.issues}
    assert reasons[(3, "Time")] == "not a time written H:MM AM or H:MM PM"
    assert reasons[(4, "Computers")] == "no count for Computers"
    assert not ZoneHeadCount.objects.exists()
    with pytest.raises(ImportRefused, match="no site 'Nowhere'"):
        run_import("tulsa-head-counts", path, municipality="tulsa", options={"site": "Nowhere"})
