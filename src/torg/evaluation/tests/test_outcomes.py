"""The outcomes of the before/after page and the report beyond visits: inquiries (all and by
domain), new users, events and attendance per site and local month, and the survey results
by wave, each checked against numbers computed by hand from the rows created here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import translation

from torg.evaluation.report import report_build, report_html
from torg.evaluation.selectors import Outcome, count_panel
from torg.inquiries.models import Inquiry
from torg.organisation.models import Role
from torg.surveys import services as survey_services
from torg.testing.factories import local, make_site, make_user
from torg.visits.models import Event

pytestmark = pytest.mark.django_db

# (month, domain, user type, how many) at the first site; Oslo local time, 10:00 on the 3rd.
INQUIRIES = [
    (1, "library", "new", 4),
    (1, "municipal", "returning", 6),
    (2, "library", "", 5),
    (2, "shared", "new", 2),
    (3, "municipal", "", 3),
]
# (month, day, hour, occurrences, attendance): the last one on 31 March at 23:30 local time,
# which is already April in UTC.
EVENTS = [(1, 10, 18, 1, 30), (1, 20, 18, 2, 45), (2, 5, 12, 1, None), (3, 31, 23, 1, 12)]


@pytest.fixture
def data(municipality_x):
    site = make_site(municipality_x, "Torget")
    for month, domain, user_type, number in INQUIRIES:
        for _ in range(number):
            Inquiry.objects.create(
                municipality=municipality_x,
                site=site,
                occurred_at=local(2024, month, 3, 10),
                channel="in_person",
                domain=domain,
                outcome="resolved",
                user_type=user_type,
            )
    for month, day, hour, occurrences, attendance in EVENTS:
        Event.objects.create(
            municipality=municipality_x,
            site=site,
            starts_at=local(2024, month, day, hour, 30),
            event_type="other",
            audience="adults",
            occurrences=occurrences,
            attendance=attendance,
        )
    return site


def values(scope, outcome: Outcome) -> dict[str, float]:
    frame = count_panel(scope, outcome).frame
    return {str(row.period): row.value for row in frame.itertuples()}


def test_inquiries_by_domain_and_new_users_per_month_are_the_counts_by_hand(municipality_x, data):
    total: Counter = Counter()
    library: Counter = Counter()
    new: Counter = Counter()
    asked: set[str] = set()
    for month, domain, user_type, number in INQUIRIES:
        key = f"2024-{month:02d}"
        total[key] += number
        library[key] += number if domain == "library" else 0
        if user_type:
            asked.add(key)
            new[key] += number if user_type == "new" else 0
    assert values(municipality_x, Outcome.INQUIRIES) == {k: float(v) for k, v in total.items()}
    assert values(municipality_x, Outcome.INQUIRIES_LIBRARY) == {
        k: float(library[k]) for k in total
    }
    # March: nobody was asked whether they were new, so March has no figure (not 0).
    assert values(municipality_x, Outcome.NEW_USERS) == {"2024-01": 4.0, "2024-02": 2.0}
    assert set(values(municipality_x, Outcome.NEW_USERS)) == asked


def test_events_and_attendance_per_local_month_are_the_sums_by_hand(municipality_x, data):
    assert values(municipality_x, Outcome.EVENTS) == {
        "2024-01": 3.0,
        "2024-02": 1.0,
        "2024-03": 1.0,
    }
    # February's one event has no recorded attendance: no figure, not 0.
    assert values(municipality_x, Outcome.ATTENDANCE) == {"2024-01": 75.0, "2024-03": 12.0}


def test_the_report_counts_inquiries_events_and_new_users_of_the_range(municipality_x, data):
    report = report_build(municipality_x, dt.date(2024, 2, 1), dt.date(2024, 3, 31))
    assert report.inquiries.total == 5 + 2 + 3
    assert report.inquiries.by_domain == {"library": 5, "shared": 2, "municipal": 3}
    assert report.inquiries.new_users == 2
    assert report.events.events == 2 and report.events.attendance == 12
    assert report.events.events_without_attendance == 1
    with translation.override("en"):
        html = report_html(report)
    assert "Inquiries by domain" in html and "Events and attendance by audience" in html


@pytest.fixture
def analyst_client(client, municipality_x):
    client.force_login(make_user("analyst-x", municipality_x, Role.ANALYST))
    client.cookies["django_language"] = "en"
    return client


def test_the_page_evaluates_a_by_domain_outcome(analyst_client, municipality_x, data):
    response = analyst_client.get(
        reverse("evaluation:index", args=[municipality_x.slug]),
        {
            "site": data.pk,
            "change_date": "2024-02-01",
            "outcome": "inquiries_library",
            "method": "same_period",
        },
    )
    assert response.status_code == 200
    assert b"Inquiries about library services" in response.content


def test_the_page_shows_survey_results_by_wave_around_the_change(
    analyst_client, municipality_x, data
):
    survey = survey_services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    wave, tokens = survey_services.wave_open(
        survey=survey,
        starts_on=dt.date(2023, 10, 1),
        ends_on=dt.date(2023, 10, 31),
        anonymous=False,
        token_count=10,
    )
    for i in range(8):  # 6 of 8 agree: 75 %
        survey_services.response_submit(
            wave=wave,
            answers={"cost-cutting": 5 if i < 6 else 1},
            submission_key=uuid.uuid4(),
            token=tokens[i],
        )
    response = analyst_client.get(
        reverse("evaluation:index", args=[municipality_x.slug]),
        {"site": data.pk, "change_date": "2024-02-01", "outcome": "survey", "method": "did"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="survey-waves"' in html
    assert "before the change" in html
    assert "75% (95 % CI 41–93; n = 8)" in html


def test_the_model_comparison_adds_up_inquiries_per_site_by_model(municipality_x, data):
    from torg.evaluation.selectors import model_comparison
    from torg.organisation.models import OrganisationalModel, SiteModelPeriod

    other = make_site(municipality_x, "Kaia")
    for _ in range(7):
        Inquiry.objects.create(
            municipality=municipality_x,
            site=other,
            occurred_at=local(2024, 6, 1, 12),
            channel="phone",
            domain="municipal",
            outcome="resolved",
        )
    for site in (data, other):
        SiteModelPeriod.objects.create(
            municipality=municipality_x,
            site=site,
            model=OrganisationalModel.HYBRID,
            valid_from=dt.date(2020, 1, 1),
        )
    (group,) = model_comparison(municipality_x, 2024, outcome=Outcome.INQUIRIES)
    # Torget: 4 + 6 + 5 + 2 + 3 = 20 inquiries in 2024; Kaia: 7. Mean 13.5, t-interval with
    # one degree of freedom: 13.5 ± 12.706 × 6.5.
    assert group.model == OrganisationalModel.HYBRID and group.sites == 2
    assert group.mean == pytest.approx(13.5)
    assert group.ci_low == pytest.approx(13.5 - 12.7062047 * 6.5, rel=1e-6)
    assert group.few


def test_the_model_page_shows_survey_results_by_model_and_england(
    analyst_client, municipality_x, data
):
    from torg.organisation.models import OrganisationalModel, SiteModelPeriod

    SiteModelPeriod.objects.create(
        municipality=municipality_x,
        site=data,
        model=OrganisationalModel.TOTAL,
        valid_from=dt.date(2020, 1, 1),
    )
    survey = survey_services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    wave, tokens = survey_services.wave_open(
        survey=survey,
        starts_on=dt.date(2023, 10, 1),
        ends_on=dt.date(2023, 10, 31),
        anonymous=False,
        token_count=12,
    )
    site_code = next(c["code"] for c in wave.items.get(code="site").choices if c["code"] != "")
    for i in range(10):  # all at Torget (total model): 4 of 10 agree
        survey_services.response_submit(
            wave=wave,
            answers={"site": site_code, "cost-cutting": 4 if i < 4 else 2},
            submission_key=uuid.uuid4(),
            token=tokens[i],
        )
    response = analyst_client.get(
        reverse("evaluation:models", args=[municipality_x.slug]),
        {"year": 2024, "outcome": "inquiries"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    survey_part = html.split('id="survey-by-model"')[1].split("</section>")[0]
    assert "Total cooperation" in survey_part
    assert "40% (95 % CI 17–69; n = 10)" in survey_part and "n = 10" in survey_part
    england = html.split('id="england-cross-section"')[1].split("</section>")[0]
    assert "not the effect of sharing a building" in england
    assert "Inquiries per site in 2024" in html


def test_hourly_visit_counts_are_summed_by_local_month(municipality_x):
    from torg.evaluation.selectors import visit_panel
    from torg.visits.models import VisitCount

    site = make_site(municipality_x, "Telleren")
    # 31 January 23:00–24:00 Oslo time is 22:00 UTC: January, not February.
    hours = [(1, 31, 23, 5), (2, 1, 0, 7), (2, 14, 12, 11), (3, 31, 1, 13), (3, 31, 3, 17)]
    for month, day, hour, count in hours:
        start = local(2024, month, day, hour)
        VisitCount.objects.create(
            municipality=municipality_x,
            site=site,
            period_start=start,
            period_end=start + dt.timedelta(hours=1),
            count=count,
            method="automatic",
        )
    frame = visit_panel(municipality_x).frame
    by_month = {str(row.period): row.value for row in frame.itertuples()}
    # 31 March is the night the clocks go forward: 01:00 and 03:00 are one hour apart.
    assert by_month == {"2024-01": 5.0, "2024-02": 18.0, "2024-03": 30.0}
