"""Newcastle's and Plymouth's physical visits in the UK library data schema against figures
computed with awk from the raw files (``reference/uk_schema_visits.json``). The files are
not shipped: these tests read them from ``../shared/data`` and skip when they are absent."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Sum

from torg.imports.framework import ImportFailed, run_import
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, SiteKind
from torg.testing.factories import make_municipality, make_site, shared_data_file
from torg.visits.models import CountMethod, VisitCount

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "uk_schema_visits.json").read_text("utf-8")
)
LONDON = zone("Europe/London")

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def _authority(slug: str, number: str) -> Municipality:
    municipality = make_municipality(slug, number=number, country="GB")
    for name in REFERENCE[slug]["by_library"]:
        make_site(municipality, name, kind=SiteKind.LIBRARY, time_zone="Europe/London")
    return municipality


@pytest.mark.parametrize("slug, number", [("newcastle", "E08000021"), ("plymouth", "E06000026")])
def test_visits_match_the_file(slug: str, number: str) -> None:
    municipality = _authority(slug, number)
    reference = REFERENCE[slug]
    result = run_import(
        "uk-schema-visits",
        shared_data_file(f"library-visits/uk-librarydata-schema/physical_visits_{slug}.csv"),
        municipality=slug,
    )
    assert result.rows_read == result.created == reference["rows"]
    visits = VisitCount.objects.filter(municipality=municipality)
    assert visits.aggregate(total=Sum("count"))["total"] == reference["total"]
    for library, expected in reference["by_library"].items():
        at = visits.filter(site__name=library)
        stored = {"rows": at.count(), "visits": at.aggregate(total=Sum("count"))["total"]}
        assert stored == expected, library
    for method, expected in reference["by_method"].items():
        at = visits.filter(
            method={"manual": CountMethod.MANUAL, "automatic": CountMethod.AUTOMATIC}[method]
        )
        stored = {"rows": at.count(), "visits": at.aggregate(total=Sum("count"))["total"]}
        assert stored == expected, method
    days: Counter[str] = Counter()
    for start, end in visits.values_list("period_start", "period_end"):
        first, after = start.astimezone(LONDON), end.astimezone(LONDON)
        assert (first.hour, after.hour) == (0, 0)
        days[str((after.date() - first.date()).days)] += 1
    assert dict(days) == reference["rows_by_days"]


def test_the_count_end_is_included() -> None:
    _authority("newcastle", "E08000021")
    run_import(
        "uk-schema-visits",
        shared_data_file("library-visits/uk-librarydata-schema/physical_visits_newcastle.csv"),
        municipality="newcastle",
    )
    march = VisitCount.objects.get(site__name="City", count=56452)  # 2019-03-01 to 2019-03-31
    # The clocks went forward on 31 March 2019: 31 March ends at 23:00 UTC (BST).
    assert march.period_start == dt.datetime(2019, 3, 1, 0, 0, tzinfo=dt.UTC)
    assert march.period_end == dt.datetime(2019, 3, 31, 23, 0, tzinfo=dt.UTC)
    assert march.method == CountMethod.AUTOMATIC


def test_reimporting_adds_nothing() -> None:
    _authority("plymouth", "E06000026")
    path = shared_data_file("library-visits/uk-librarydata-schema/physical_visits_plymouth.csv")
    run_import("uk-schema-visits", path, municipality="plymouth")
    assert run_import("uk-schema-visits", path, municipality="plymouth").already_imported
    forced = run_import("uk-schema-visits", path, municipality="plymouth", force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, 7)
    assert VisitCount.objects.count() == 7


def test_an_unknown_count_type_is_an_error(tmp_path: Path) -> None:
    _authority("plymouth", "E06000026")
    source = shared_data_file("library-visits/uk-librarydata-schema/physical_visits_plymouth.csv")
    changed = tmp_path / "physical_visits.csv"
    changed.write_text(
        source.read_text(encoding="utf-8").replace(",Manual,", ",Guess,", 1), encoding="utf-8"
    )
    with pytest.raises(ImportFailed) as failure:
        run_import("uk-schema-visits", changed, municipality="plymouth")
    assert [(i.row, i.column, i.value) for i in failure.value.issues] == [
        (2, "Count type", "Guess")
    ]
    assert not VisitCount.objects.exists()
