"""Toronto Public Library's branches and visits against figures computed independently from
the raw files (``reference/toronto.json``)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from torg.demo.setup import ensure_toronto
from torg.imports.framework import ImportFailed, ImportRefused, ImportResult, run_import
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site, SiteKind
from torg.testing.factories import demo_data_file, make_municipality
from torg.visits.models import CountMethod, VisitCount

REFERENCE = json.loads((Path(__file__).parent / "reference" / "toronto.json").read_text("utf-8"))
TORONTO = zone("America/Toronto")

pytestmark = pytest.mark.django_db


@pytest.fixture
def toronto() -> Municipality:
    return ensure_toronto()


def _branches(**kwargs: Any) -> ImportResult:
    return run_import(
        "toronto-branches",
        demo_data_file("toronto-tpl/tpl-branch-general-information-2023.csv"),
        municipality="toronto",
        **kwargs,
    )


def _visits(**kwargs: Any) -> ImportResult:
    return run_import(
        "toronto-visits",
        demo_data_file("toronto-tpl/tpl-visits-annual-by-branch-2012-2022.csv"),
        municipality="toronto",
        **kwargs,
    )


def test_every_branch_becomes_a_site(toronto: Municipality) -> None:
    result = _branches()
    reference = REFERENCE["branches"]
    sites = Site.objects.filter(municipality=toronto)
    assert result.created == sites.count() == reference["rows"] == 112
    assert sites.filter(opened_year__isnull=True).count() == reference["opened_year_empty"]
    assert sites.filter(address="").count() == reference["address_empty"]
    assert sites.filter(note__contains="PhysicalBranch 0").count() == reference["not_physical"]
    assert set(sites.values_list("time_zone", flat=True)) == {"America/Toronto"}
    for code, expected in reference["spot"].items():
        site = sites.get(code=code)
        assert {"name": site.name, "address": site.address, "opened_year": site.opened_year} == (
            expected
        )


def test_the_scarborough_civic_centre_branch_is_a_joint_site(toronto: Municipality) -> None:
    _branches()
    sites = Site.objects.filter(municipality=toronto)
    assert list(sites.filter(kind=SiteKind.JOINT).values_list("code", flat=True)) == ["SC"]
    assert sites.filter(kind=SiteKind.LIBRARY).count() == 111
    assert sites.get(code="SC").opened_year == 2015


def test_visits_match_the_file_year_by_year(toronto: Municipality) -> None:
    _branches()
    result = _visits()
    reference = REFERENCE["visits"]
    assert result.created == reference["rows"] == 1129
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"visits": 0, "rows": 0})
    for start, end, count in VisitCount.objects.filter(municipality=toronto).values_list(
        "period_start", "period_end", "count"
    ):
        local_start, local_end = start.astimezone(TORONTO), end.astimezone(TORONTO)
        assert (local_start.month, local_start.day, local_start.hour) == (1, 1, 0)
        assert (local_end.year, local_end.month, local_end.day) == (local_start.year + 1, 1, 1)
        totals[str(local_start.year)]["visits"] += count
        totals[str(local_start.year)]["rows"] += 1
    assert dict(totals) == reference["by_year"]
    assert (
        VisitCount.objects.filter(municipality=toronto).values("site").distinct().count()
        == reference["branches"]
    )
    assert set(
        VisitCount.objects.filter(municipality=toronto).values_list("method", flat=True)
    ) == {CountMethod.REPORTED}


def test_the_civic_centre_branch_has_visits_from_2015(toronto: Municipality) -> None:
    _branches()
    _visits()
    civic = VisitCount.objects.filter(site__municipality=toronto, site__code="SC")
    by_year = {str(v.period_start.astimezone(TORONTO).year): v.count for v in civic}
    assert by_year == REFERENCE["visits"]["scarborough_civic_centre"]
    first = civic.order_by("period_start").first()
    assert first is not None
    # Local midnight of 1 January in Toronto (EST, UTC−5) is 05:00 UTC.
    assert first.period_start == dt.datetime(2015, 1, 1, 5, 0, tzinfo=dt.UTC)


def test_an_unknown_branch_code_is_an_error_naming_it(toronto: Municipality) -> None:
    with pytest.raises(ImportFailed) as failure:
        _visits()
    issues = failure.value.issues
    assert len(issues) == 1129
    assert issues[0].column == "BranchCode"
    assert issues[0].value == "AB"
    assert "no site has the branch code 'AB'" in issues[0].reason
    assert not VisitCount.objects.exists()


def test_reimporting_adds_nothing(toronto: Municipality) -> None:
    _branches()
    _visits()
    assert _branches().already_imported
    assert _visits().already_imported
    branches = _branches(force=True)
    visits = _visits(force=True)
    assert (branches.created, branches.updated, branches.unchanged) == (0, 0, 112)
    assert (visits.created, visits.updated, visits.unchanged) == (0, 0, 1129)
    assert VisitCount.objects.count() == 1129
    assert Site.objects.count() == 112


def test_branches_are_refused_for_a_municipality_outside_canada_without_the_option() -> None:
    make_municipality("kommune-n", number="0301", country="NO")
    with pytest.raises(ImportRefused) as caught:
        run_import(
            "toronto-branches",
            demo_data_file("toronto-tpl/tpl-branch-general-information-2023.csv"),
            municipality="kommune-n",
        )
    assert "is in country NO, not Canada (CA)" in str(caught.value)
    assert "--set any_country=yes" in str(caught.value)
    assert not Site.objects.exists()


def test_branches_go_into_a_municipality_outside_canada_when_asked_explicitly() -> None:
    oslo = make_municipality("kommune-n", number="0301", country="NO")
    result = run_import(
        "toronto-branches",
        demo_data_file("toronto-tpl/tpl-branch-general-information-2023.csv"),
        municipality="kommune-n",
        options={"any_country": "yes"},
    )
    assert result.created == REFERENCE["branches"]["rows"]
    assert Site.objects.filter(municipality=oslo).count() == REFERENCE["branches"]["rows"]
