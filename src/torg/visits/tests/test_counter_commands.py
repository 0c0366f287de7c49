"""Door counters end to end: ``torg add counter``, ``torg import counter-readings`` of the
hand-worked readings (``reference/counter_readings.md``) and ``torg convert readings``,
which creates the counts and lists the gaps it leaves missing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from torg.imports.framework import ImportFailed, run_import
from torg.organisation.models import Site
from torg.visits.models import CounterReading, VisitCount

READINGS = Path(__file__).parent / "reference" / "counter_readings.csv"


def _file(tmp_path: Path, entrance: str = "Main door") -> Path:
    lines = [line for line in READINGS.read_text().splitlines() if not line.startswith("#")]
    body = ["site,entrance,read_at,value"] + [f"Torget A,{entrance},{line}" for line in lines[1:]]
    path = tmp_path / "readings.csv"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def test_readings_become_the_hand_worked_counts_with_gaps_listed(
    site_a: Site, tmp_path: Path
) -> None:
    slug = site_a.municipality.slug
    out = io.StringIO()
    call_command(
        "add_counter",
        "Torget A",
        municipality=slug,
        entrance="Main door",
        direction="in-out",
        rolls_over_at=1_000_000,
        stdout=out,
    )
    result = run_import("counter-readings", _file(tmp_path), municipality=slug)
    assert result.created == CounterReading.objects.count() == 8
    out = io.StringIO()
    call_command("convert_readings", municipality=slug, stdout=out)
    text = out.getvalue()
    assert "5 counts created, 0 already there, 28 visits, 2 gaps left missing." in text
    assert "readings_missing, 61 passages not spread" in text
    assert "reset, unknown passages not spread" in text
    counts = VisitCount.objects.filter(site=site_a, entrance="Main door").order_by("period_start")
    assert [c.count for c in counts] == [2, 9, 14, 0, 3]


def test_readings_of_an_unregistered_counter_are_refused(site_a: Site, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failure:
        run_import(
            "counter-readings", _file(tmp_path, "Side door"), municipality=site_a.municipality.slug
        )
    assert "no door counter is registered" in failure.value.issues[0].reason
    assert not CounterReading.objects.exists()


def test_user_errors_exit_with_status_2(site_a: Site) -> None:
    with pytest.raises(CommandError) as caught:
        call_command(
            "add_counter", "Nowhere", municipality=site_a.municipality.slug, direction="in"
        )
    assert caught.value.returncode == 2
    with pytest.raises(CommandError) as caught:
        call_command("convert_readings", municipality=site_a.municipality.slug)
    assert caught.value.returncode == 2
