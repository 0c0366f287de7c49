"""The demo: its municipalities and the plan that imports every bundled file into them
(``torg.demo.setup``). Expected counts come from the per-source reference files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from torg.demo import setup
from torg.imports.framework import run_import
from torg.imports.models import ImportBatch
from torg.inquiries.models import Inquiry
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount

REFERENCE_DIR = Path(__file__).parent / "reference"


def _reference(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text("utf-8"))


pytestmark = pytest.mark.django_db


def test_the_demo_municipalities_are_created_once() -> None:
    first = setup.ensure_demo_municipalities()
    counts = (Municipality.objects.count(), Site.objects.count(), ServicePoint.objects.count())
    second = setup.ensure_demo_municipalities()
    assert [m.pk for m in first] == [m.pk for m in second]
    assert (Municipality.objects.count(), Site.objects.count(), ServicePoint.objects.count()) == (
        counts
    )
    # 2 Norwegian, Alessandria, Toronto and one per English authority in the ACE files.
    assert counts[0] == 4 + _reference("england_ace")["authorities_in_files"]
    assert counts[1] == 2 + 4 * _reference("england_ace")["authorities_in_files"]
    slugs = {m.slug for m in first}
    assert {"drammen", "indre-ostfold", "alessandria", "toronto", "gb-barnet"} <= slugs
    assert not Site.objects.filter(municipality__country="NO").exists()
    app = ServicePoint.objects.get(name="App Municipium")
    assert (app.site.code, app.kind) == ("comune", "digital_form")


def test_every_demo_municipality_names_its_data_source_and_licence() -> None:
    for municipality in setup.ensure_demo_municipalities():
        assert municipality.data_source, municipality.slug
        assert municipality.data_licence, municipality.slug
    assert "CC BY 4.0" in Municipality.objects.get(slug="alessandria").data_licence
    assert "Toronto" in Municipality.objects.get(slug="toronto").data_licence


def test_the_plan_covers_every_bundled_data_file() -> None:
    planned = {path.resolve() for _, path, _ in setup.demo_imports()}
    bundled = {
        path.resolve() for path in Path(settings.DEMO_DATA_DIR).rglob("*.csv") if path.is_file()
    }
    assert planned == bundled


def test_the_whole_plan_loads_and_a_second_run_adds_nothing() -> None:
    setup.ensure_demo_municipalities()
    plan = setup.demo_imports()
    for profile, path, slug in plan:
        result = run_import(profile, path, municipality=slug)
        assert not result.already_imported, path.name
    alessandria = _reference("alessandria")
    toronto = _reference("toronto")
    england = _reference("england_ace")
    visits = (
        sum(year["rows"] for year in alessandria["entries"].values())
        + toronto["visits"]["rows"]
        + england["visits"]["rows"]
    )
    assert VisitCount.objects.count() == visits
    assert Inquiry.objects.count() == alessandria["reports"]["rows"]
    assert (
        Event.objects.count()
        == england["events"]["rows"] + england["attendance"]["without_events_row"]["rows"]
    )
    assert AnnualLibraryStatistics.objects.count() == _reference("nb_folkebibliotek_2020")["rows"]
    batches = ImportBatch.objects.count()
    for profile, path, slug in plan:
        assert run_import(profile, path, municipality=slug).already_imported, path.name
    assert ImportBatch.objects.count() == batches == len(plan)
    assert VisitCount.objects.count() == visits
