"""The evaluation pages: the answer for the Toronto cases, the refusal, the chart's table,
the excluded periods, the model comparison and the scoping to the user's municipality."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from torg.evaluation.models import ExcludedPeriod, ExclusionReason
from torg.organisation.models import OrganisationalModel, Role, Site, SiteModelPeriod
from torg.testing.factories import make_site, make_user
from torg.visits.models import CountMethod, VisitCount

pytestmark = pytest.mark.django_db


def url(name: str, slug: str) -> str:
    return reverse(f"evaluation:{name}", args=[slug])


@pytest.fixture
def toronto_analyst(toronto):
    return make_user("analyst-toronto", toronto, Role.ANALYST)


@pytest.fixture
def toronto_exclusions(toronto):
    albion = Site.objects.get(municipality=toronto, code="AB")
    ExcludedPeriod.objects.create(
        municipality=toronto,
        site=albion,
        first=dt.date(2015, 1, 1),
        last=dt.date(2017, 12, 31),
        reason=ExclusionReason.BUILDING_WORKS,
    )
    ExcludedPeriod.objects.create(
        municipality=toronto,
        site=None,
        first=dt.date(2020, 3, 1),
        last=dt.date(2021, 12, 31),
        reason=ExclusionReason.COVID,
    )
    return albion


def headline_of(html: str) -> str:
    match = re.search(r'id="evaluation-headline">([^<]*)<', html)
    assert match is not None
    return match.group(1)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_albion_page_says_the_answer_in_a_sentence_with_method_and_pre_trend(
    client_for, toronto_analyst, toronto_exclusions
):
    client = english(client_for(toronto_analyst))
    response = client.get(
        url("index", "toronto"),
        {
            "site": toronto_exclusions.pk,
            "change_date": "2017-01-01",
            "outcome": "visits",
            "method": "did",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    headline = headline_of(html)
    # Against the ten branches most like Albion before the rebuild (see test_cases for the
    # hand computation): about −9 %, an interval from −27 to 15 % that includes no change.
    assert headline.startswith("Visits changed by −9 % (95 % CI −27 to 15 %)")
    assert "compared with the comparison sites" in headline and "cannot tell" in headline
    assert 'id="pre-trend"' in html and "not parallel" in html
    assert 'id="proposed-note"' in html
    assert "<details" in html and "clustered by site" in html
    assert "5 periods excluded" in html
    assert 'id="evaluation-chart-table"' in html  # the chart's table alternative


def test_scarborough_civic_centre_gets_the_plain_refusal(client_for, toronto_analyst, toronto):
    sc = Site.objects.get(municipality=toronto, code="SC")
    client = english(client_for(toronto_analyst))
    change = f"{sc.pk}:2015-01-01"
    response = client.get(
        url("index", "toronto"), {"change": change, "outcome": "visits", "method": "did"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no before-period to compare with" in html
    assert "CI" not in headline_of(html)


def test_a_desk_worker_may_not_see_the_evaluation(client_for, toronto):
    desk = make_user("desk-toronto", toronto, Role.DESK_STAFF)
    assert client_for(desk).get(url("index", "toronto")).status_code == 403


@pytest.mark.parametrize("name", ["index", "models", "excluded", "guide"])
def test_an_outsider_gets_404_on_every_evaluation_page(
    client_for, outsider_y, municipality_x, name
):
    assert client_for(outsider_y).get(url(name, municipality_x.slug)).status_code == 404


def test_a_site_of_another_municipality_is_refused_as_a_choice(
    client_for, analyst_x, municipality_x, municipality_y
):
    other = make_site(municipality_y, "Elsewhere")
    response = client_for(analyst_x).get(
        url("index", municipality_x.slug),
        {"site": other.pk, "change_date": "2020-01-01", "outcome": "visits", "method": "did"},
    )
    assert response.status_code == 400


def test_a_manager_excludes_a_period_and_an_analyst_may_not(
    client_for, manager_x, analyst_x, municipality_x
):
    site = make_site(municipality_x, "Biblioteket")
    data = {"site": site.pk, "first": "2021-01-01", "last": "2021-06-30", "reason": "closure"}
    assert client_for(analyst_x).post(url("excluded", municipality_x.slug), data).status_code == 403
    response = client_for(manager_x).post(url("excluded", municipality_x.slug), data)
    assert response.status_code == 302
    stored = ExcludedPeriod.objects.get()
    assert (stored.site, stored.first, stored.last) == (
        site,
        dt.date(2021, 1, 1),
        dt.date(2021, 6, 30),
    )


def test_an_excluded_period_that_ends_before_it_starts_is_refused(
    client_for, manager_x, municipality_x
):
    data = {"first": "2021-06-30", "last": "2021-01-01", "reason": "closure"}
    response = client_for(manager_x).post(url("excluded", municipality_x.slug), data)
    assert response.status_code == 400
    assert not ExcludedPeriod.objects.exists()


def _year(site: Site, year: int, visits: int) -> None:
    VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=dt.datetime(year, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=1),
        period_end=dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=1),
        count=visits,
        method=CountMethod.REPORTED,
    )


def test_the_model_comparison_shows_group_sizes_means_and_warns_when_few(
    client_for, analyst_x, municipality_x
):
    visits = {"A": 100, "B": 300, "C": 50}
    for name, count in visits.items():
        site = make_site(municipality_x, name)
        _year(site, 2022, count)
        if name != "C":
            SiteModelPeriod.objects.create(
                municipality=municipality_x,
                site=site,
                model=OrganisationalModel.TOTAL,
                valid_from=dt.date(2021, 1, 1),
            )
    client = english(client_for(analyst_x))
    html = client.get(url("models", municipality_x.slug), {"year": 2022}).content.decode()
    table = html.split('id="model-comparison"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S)
    assert "Total cooperation" in rows[0] and ">2<" in rows[0] and ">200<" in rows[0]
    assert "No model recorded" in rows[1] and ">50<" in rows[1]
    assert 'id="few-sites-warning"' in html


def _month(site: Site, year: int, month: int, visits: int) -> None:
    from torg.testing.factories import local

    start = local(year, month, 1)
    end = local(year + (month == 12), month % 12 + 1, 1)
    VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=end,
        count=visits,
        method=CountMethod.ESTIMATE if (year, month) == (2021, 5) else CountMethod.AUTOMATIC,
    )


def test_monthly_counts_give_a_same_period_comparison_equal_to_the_hand_ratio(
    client_for, analyst_x, municipality_x
):
    site = make_site(municipality_x, "Torget")
    before = {m: 1000 + 10 * m for m in range(1, 13)}
    after = {m: 1200 + 12 * m for m in range(1, 13)}
    for month in range(1, 13):
        _month(site, 2021, month, before[month])
        if month != 7:  # July 2022 was not counted: missing, not zero
            _month(site, 2022, month, after[month])
    client = english(client_for(analyst_x))
    html = client.get(
        url("index", municipality_x.slug),
        {
            "site": site.pk,
            "change_date": "2022-01-01",
            "outcome": "visits",
            "method": "same_period",
        },
    ).content.decode()
    # July has no after-count, so it is left out on both sides.
    ratio = sum(after[m] for m in after if m != 7) / sum(before[m] for m in before if m != 7)
    assert headline_of(html).startswith(f"Visits rose by {round(100 * (ratio - 1))} %")
    assert "compared with the same months before the change" in headline_of(html)
    assert "1 period with no count (missing, not zero)" in html
    assert "1 of the site's counts is an estimate" in html, re.findall(
        r"estimated-counts\">([^<]*)", html
    )


def test_an_interrupted_time_series_on_monthly_counts_reports_the_jump(
    client_for, analyst_x, municipality_x
):
    site = make_site(municipality_x, "Torget")
    for index in range(36):
        year, month = 2019 + index // 12, index % 12 + 1
        level = 1000 * 1.005**index * (1.25 if year >= 2021 else 1.0)
        _month(site, year, month, round(level * (1.1 if month in (1, 2) else 1.0) + (index % 3)))
    client = english(client_for(analyst_x))
    html = client.get(
        url("index", municipality_x.slug),
        {"site": site.pk, "change_date": "2021-01-01", "outcome": "visits", "method": "its"},
    ).content.decode()
    assert headline_of(html).startswith("Visits rose by 25 %")
    assert "compared with the trend before the change" in headline_of(html)
