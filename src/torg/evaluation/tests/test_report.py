"""The evaluation report for the Toronto demo: the Albion estimate with its method note,
the plain refusal for Scarborough Civic Centre, a reproducible PDF, and the command's
user errors."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from torg.evaluation.report import report_build, report_html, report_pdf
from torg.evaluation.services import ensure_demo_exclusions

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(toronto):
    ensure_demo_exclusions()
    with translation.override("en"):
        yield report_build(toronto, dt.date(2012, 1, 1), dt.date(2022, 12, 31))


def test_the_toronto_report_has_albion_with_its_interval_and_the_scarborough_refusal(report):
    with translation.override("en"):
        html = report_html(report)
    by_site = {f.evaluation.site_name: f for f in report.findings}
    assert by_site["Albion"].headline.startswith("Visits changed by −9 % (95 % CI −27 to 15 %)")
    assert "no before-period" in by_site["Scarborough Civic Centre"].headline
    assert "clustered by site" in html and "not parallel" in html
    assert html.count("<svg") >= 2  # the visits chart and Albion's
    assert "Missing, not zero" in html


def test_the_report_counts_the_visits_of_the_range_by_hand(report):
    import pandas as pd

    from torg.demo.setup import TORONTO_VISITS, data_path

    raw = pd.read_csv(data_path(TORONTO_VISITS))
    assert report.visits_total == pytest.approx(raw["Visits"].sum())
    assert len(report.visit_periods) == 11


def test_the_pdf_is_the_same_for_the_same_data(report):
    with translation.override("en"):
        first = report_pdf(report)
        time.sleep(1.1)  # the embedded fonts would carry the second they were written
        second = report_pdf(report)
    assert first.startswith(b"%PDF")
    assert first == second


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ["--from", "2020-01-01", "--to", "2020-12-31", "--out", "x.pdf"],
            "Missing --municipality",
        ),
        (
            [
                "--municipality",
                "nowhere",
                "--from",
                "2020-01-01",
                "--to",
                "2020-12-31",
                "--out",
                "x.pdf",
            ],
            "no municipality",
        ),
        (
            [
                "--municipality",
                "toronto",
                "--from",
                "2020-13-01",
                "--to",
                "2020-12-31",
                "--out",
                "x.pdf",
            ],
            "YYYY-MM-DD",
        ),
        (
            [
                "--municipality",
                "toronto",
                "--from",
                "2021-01-01",
                "--to",
                "2020-12-31",
                "--out",
                "x.pdf",
            ],
            "before --from",
        ),
    ],
)
def test_the_command_refuses_user_errors_with_status_2(toronto, arguments, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("report_evaluation", *arguments)
    assert error.value.returncode == 2


def test_a_folder_as_out_is_a_user_error_before_anything_is_built(toronto, tmp_path):
    with pytest.raises(CommandError, match="is a folder") as error:
        call_command(
            "report_evaluation",
            "--municipality",
            "toronto",
            "--from",
            "2015-01-01",
            "--to",
            "2015-12-31",
            "--out",
            str(tmp_path),
        )
    assert error.value.returncode == 2


def test_the_command_writes_html(toronto, tmp_path):
    out = tmp_path / "report.html"
    call_command(
        "report_evaluation",
        "--municipality",
        "toronto",
        "--from",
        "2015-01-01",
        "--to",
        "2015-12-31",
        "--out",
        str(out),
    )
    assert "Scarborough Civic Centre" in out.read_text(encoding="utf-8")


def test_the_report_page_is_the_same_html_for_an_analyst(toronto, client_for):
    from torg.organisation.models import Role
    from torg.testing.factories import make_user

    analyst = make_user("analyst-report", toronto, Role.ANALYST)
    client = client_for(analyst)
    client.cookies["django_language"] = "en"
    url = "/m/toronto/evaluation/report/"
    response = client.get(url, {"date_from": "2015-01-01", "date_to": "2015-12-31"})
    assert response.status_code == 200
    assert "Scarborough Civic Centre" in response.content.decode()
    assert client.get(url, {"date_from": "2015-12-31", "date_to": "2015-01-01"}).status_code == 400
    assert "Local days" in client.get(url).content.decode()  # no range: the last whole year


def test_an_outsider_gets_404_for_the_report_page(client_for, outsider_y, municipality_x):
    assert (
        client_for(outsider_y).get(f"/m/{municipality_x.slug}/evaluation/report/").status_code
        == 404
    )


def test_text_in_a_chart_svg_is_escaped_before_the_report_inlines_it():
    from torg.evaluation.report import _visits_chart

    svg = _visits_chart([("<script>alert(1)</script>", 10.0, 1)])
    assert "<script" not in svg and "&lt;script" in svg
