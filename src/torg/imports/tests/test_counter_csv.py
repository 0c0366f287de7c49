"""The generic ``visit-counts`` profile: the header names and spellings it accepts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from torg.imports.framework import ImportFailed, run_import
from torg.organisation.models import Site
from torg.testing.factories import make_site
from torg.visits.models import VisitCount

pytestmark = pytest.mark.django_db


def import_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "counts.csv"
    path.write_text(text, encoding="utf-8")
    run_import("visit-counts", path, municipality="kommune-x")


def test_the_short_and_norwegian_header_names_are_accepted(site_a, tmp_path):
    import_text(
        tmp_path,
        'Site,Start,End,Besøk\nTorget A,2024-03-01 08:00,2024-03-01 09:00,"1 204"\n',
    )
    count = VisitCount.objects.get()
    assert (count.count, count.entrance, count.method) == (1204, "", "automatic")
    assert count.period_end - count.period_start == dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("automatisk", "automatic"),
        ("Counter", "automatic"),
        ("MANUELL", "manual"),
        (" estimat ", "estimate"),
        ("reported", "reported"),
        ("", "automatic"),
    ],
)
def test_a_method_may_be_written_in_norwegian_or_english(site_a, tmp_path, written, stored):
    import_text(
        tmp_path,
        f"site;period_start;period_end;antall;method\nTorget A;2024-03-01;2024-03-02;3;{written}\n",
    )
    assert VisitCount.objects.get().method == stored


def test_a_site_is_found_by_its_code_and_by_its_name_in_any_case(site_a, tmp_path):
    Site.objects.filter(pk=site_a.pk).update(code="TA")
    import_text(
        tmp_path,
        "site;entrance;period_start;period_end;visits\n"
        "TA;Nord;2024-03-01;2024-03-02;1\n"
        "  TORGET   a ;Sør ;2024-03-01;2024-03-02;2\n",
    )
    assert sorted(VisitCount.objects.values_list("site_id", "entrance", "count")) == [
        (site_a.pk, "Nord", 1),
        (site_a.pk, "Sør", 2),
    ]


def test_zero_is_stored_as_zero_and_a_fraction_is_refused(site_a, tmp_path):
    import_text(tmp_path, "site;start;end;count\nTorget A;2024-03-01;2024-03-02;0\n")
    assert VisitCount.objects.get().count == 0
    with pytest.raises(ImportFailed, match="not a whole number"):
        import_text(tmp_path, "site;start;end;count\nTorget A;2024-03-02;2024-03-03;2,5\n")


def test_the_unknown_site_message_lists_the_known_ones(site_a, tmp_path):
    make_site(site_a.municipality, "Filial Sør")
    with pytest.raises(ImportFailed) as caught:
        import_text(tmp_path, "site;start;end;count\nTorget C;2024-03-01;2024-03-02;1\n")
    (issue,) = caught.value.issues
    assert issue.reason == "no site of Kommune X is called this; known: Filial Sør, Torget A"


def test_an_estimate_is_flagged_with_its_reason_and_refused_without_one(site_a, tmp_path):
    import_text(
        tmp_path,
        "site;start;end;visits;estimate;reason\n"
        "Torget A;2024-03-01;2024-03-02;40;ja;Counter broken, hand tally 10–14\n"
        "Torget A;2024-03-02;2024-03-03;0;;\n",
    )
    flagged, plain = VisitCount.objects.order_by("period_start")
    assert (flagged.is_estimate, flagged.estimate_reason) == (
        True,
        "Counter broken, hand tally 10–14",
    )
    assert (plain.is_estimate, plain.estimate_reason, plain.count) == (False, "", 0)
    VisitCount.objects.all().delete()
    with pytest.raises(ImportFailed) as failed:
        import_text(
            tmp_path,
            "site;start;end;visits;estimate\nTorget A;2024-03-01;2024-03-02;40;yes\n",
        )
    (issue,) = failed.value.issues
    assert issue.reason == "an estimate needs a reason (what was estimated and how)"
    assert not VisitCount.objects.exists()
