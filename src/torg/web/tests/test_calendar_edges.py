"""Days at the edges of the calendar (``0001-01-01``, ``9999-12-31``) in every date filter of
every page, export and API list: a clear, translated refusal next to the field (400), never
a 500 with a traceback. Torg accepts 1900-01-01 to 2100-12-31 (``torg.lib.localtime``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from torg.organisation.models import SiteModelPeriod
from torg.web.fields import DayField, DayInput, validate_day

TOO_EARLY, TOO_LATE = "0001-01-01", "9999-12-31"
MESSAGE_EN = "Give a day from 1900-01-01 to 2100-12-31."
MESSAGE_NB = "Velg en dag fra og med 1900-01-01 til og med 2100-12-31."

LIST_PAGES = [
    "inquiries:list",
    "inquiries:export",
    "visits:list",
    "visits:export",
    "visits:events",
    "visits:events_export",
]


def test_the_shared_validator_accepts_the_first_and_last_day_and_nothing_beyond():
    validate_day(dt.date(1900, 1, 1))
    validate_day(dt.date(2100, 12, 31))
    for day in (dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2101, 1, 1), dt.date.max):
        with pytest.raises(ValidationError) as caught:
            validate_day(day)
        assert caught.value.code == "out_of_range"


def test_the_date_picker_offers_only_accepted_days():
    html = DayInput().render("day", "")
    assert isinstance(DayField().widget, DayInput)
    assert 'type="date"' in html
    assert 'min="1900-01-01"' in html and 'max="2100-12-31"' in html


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize(("field", "day"), [("date_from", TOO_EARLY), ("date_to", TOO_LATE)])
def test_a_list_or_export_refuses_a_day_outside_the_calendar_next_to_the_field(
    name, field, day, municipality_x, site_a, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        reverse(name, args=[municipality_x.slug]), {field: day}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Traceback" not in html and "OverflowError" not in html
    assert f'id="id_{field}_error"' in html
    assert MESSAGE_EN in html
    assert response["Content-Type"].startswith("text/html")


def test_the_refusal_is_in_norwegian_for_a_norwegian_reader(
    municipality_x, site_a, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        reverse("inquiries:list", args=[municipality_x.slug]),
        {"date_from": TOO_EARLY, "date_to": TOO_LATE},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 400
    assert response.content.decode().count(MESSAGE_NB) == 4  # summary and field, twice


@pytest.mark.parametrize(("field", "day"), [("first", TOO_EARLY), ("last", TOO_LATE)])
def test_the_dashboard_refuses_a_day_outside_the_calendar(
    field, day, municipality_x, site_a, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(
        reverse("dashboard:index", args=[municipality_x.slug]),
        {field: day},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and MESSAGE_EN in html
    assert "data-chart=" not in html  # no figures for a period that could not be used


def test_the_dashboard_accepts_the_whole_calendar(
    municipality_x, site_a, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(
        reverse("dashboard:index", args=[municipality_x.slug]),
        {"first": "1900-01-01", "last": "2100-12-31"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("endpoint", "parameter", "day"),
    [
        ("visit-counts", "from", TOO_EARLY),
        ("visit-counts", "to", TOO_LATE),
        ("inquiries", "from", TOO_EARLY),
        ("events", "to", TOO_LATE),
    ],
)
def test_the_api_refuses_a_day_outside_the_calendar_with_400_naming_the_parameter(
    endpoint, parameter, day, municipality_x, site_a, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        f"/api/v1/m/{municipality_x.slug}/{endpoint}/",
        {parameter: day},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {parameter: [MESSAGE_EN]}


@pytest.mark.parametrize(("field", "value"), [("valid_from", TOO_EARLY), ("valid_to", TOO_LATE)])
def test_the_model_period_form_refuses_a_day_outside_the_calendar(
    field, value, site_a, manager_x, client_for
):
    data = {"model": "total", "valid_from": "2021-01-01", field: value}
    response = client_for(manager_x).post(
        reverse("organisation:site_model_period_add", args=[site_a.municipality.slug, site_a.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and MESSAGE_EN in html
    assert not SiteModelPeriod.objects.exists()
