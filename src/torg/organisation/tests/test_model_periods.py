"""The organisational model history of a site: the database itself refuses overlapping
periods (trigger on SQLite, exclusion constraint on PostgreSQL), the service turns that
refusal into a form error, and the page never answers with a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from torg.organisation import forms as organisation_forms
from torg.organisation.models import SiteModelPeriod
from torg.organisation.services import site_model_period_add

D = dt.date


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in with a password; the production hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def insert(site, valid_from, valid_to=None, model="total") -> SiteModelPeriod:
    """Write straight to the table, past every form and service."""
    return SiteModelPeriod.objects.create(
        municipality=site.municipality,
        site=site,
        model=model,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def refused(site, valid_from, valid_to=None) -> bool:
    try:
        with transaction.atomic():
            insert(site, valid_from, valid_to)
    except IntegrityError:
        return True
    return False


# --- The database -----------------------------------------------------------------------


def test_the_database_refuses_an_overlapping_period(site_a):
    insert(site_a, D(2020, 1, 1), D(2021, 12, 31))
    assert refused(site_a, D(2021, 6, 1), D(2022, 6, 30))
    assert refused(site_a, D(2019, 1, 1), D(2020, 1, 1))  # shares its first day
    assert refused(site_a, D(2021, 12, 31), None)  # shares its last day
    assert refused(site_a, D(2020, 3, 1), D(2020, 3, 31))  # inside it
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 1


def test_the_database_accepts_adjacent_periods(site_a):
    insert(site_a, D(2020, 1, 1), D(2021, 12, 31))
    assert not refused(site_a, D(2022, 1, 1), None)
    assert not refused(site_a, D(2019, 1, 1), D(2019, 12, 31))
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 3


def test_an_open_ended_period_blocks_every_later_period(site_a):
    insert(site_a, D(2020, 1, 1), None)
    assert refused(site_a, D(2035, 1, 1), D(2035, 12, 31))
    assert refused(site_a, D(2099, 12, 31), None)
    assert not refused(site_a, D(2019, 1, 1), D(2019, 12, 31))


def test_the_database_refuses_an_update_that_creates_an_overlap(site_a):
    insert(site_a, D(2020, 1, 1), D(2020, 12, 31))
    later = insert(site_a, D(2021, 1, 1), None)
    later.valid_from = D(2020, 12, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        later.save()


def test_periods_of_different_sites_may_overlap(site_a, municipality_x):
    other = municipality_x.sites.create(name="Filial", kind="library", time_zone="Europe/Oslo")
    insert(site_a, D(2020, 1, 1), None)
    assert not refused(other, D(2020, 1, 1), None)


# --- The service ------------------------------------------------------------------------


def test_the_service_reports_an_overlap_as_an_error_on_the_first_day(site_a, municipality_x):
    insert(site_a, D(2020, 1, 1), None)
    with pytest.raises(ValidationError) as caught:
        site_model_period_add(
            municipality=municipality_x, site=site_a, model="hybrid", valid_from=D(2023, 1, 1)
        )
    assert "valid_from" in caught.value.message_dict
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 1


def test_the_service_can_end_the_open_period_on_the_day_before(site_a, municipality_x):
    old = insert(site_a, D(2020, 1, 1), None)
    new = site_model_period_add(
        municipality=municipality_x,
        site=site_a,
        model="hybrid",
        valid_from=D(2023, 3, 1),
        close_open_period=True,
    )
    old.refresh_from_db()
    assert old.valid_to == D(2023, 2, 28)
    assert (new.valid_from, new.valid_to, new.model) == (D(2023, 3, 1), None, "hybrid")


def test_the_service_writes_nothing_when_the_database_refuses(site_a, municipality_x):
    # Ending the open period succeeds, then the database refuses the new period (its last
    # day is before its first): the whole change is rolled back, the open period stays open.
    open_period = insert(site_a, D(2020, 1, 1), None)
    with pytest.raises(ValidationError) as caught:
        site_model_period_add(
            municipality=municipality_x,
            site=site_a,
            model="hybrid",
            valid_from=D(2023, 6, 1),
            valid_to=D(2023, 1, 1),
            close_open_period=True,
        )
    assert "valid_to" in caught.value.message_dict
    open_period.refresh_from_db()
    assert open_period.valid_to is None
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 1


def test_the_service_refuses_a_site_of_another_municipality(site_b, municipality_x):
    with pytest.raises(ValueError):
        site_model_period_add(
            municipality=municipality_x, site=site_b, model="total", valid_from=D(2020, 1, 1)
        )


# --- The form and the page --------------------------------------------------------------


def add_url(site) -> str:
    return reverse("organisation:site_model_period_add", args=[site.municipality.slug, site.pk])


def test_a_manager_adds_a_period_and_returns_to_the_site(site_a, manager_x, client_for):
    response = client_for(manager_x).post(
        add_url(site_a),
        {"model": "total", "valid_from": "2021-01-01", "co_organised": "on", "co_located": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisation:site", args=[site_a.municipality.slug, site_a.pk]
    )
    period = SiteModelPeriod.objects.get(site=site_a)
    assert (period.model, period.co_organised, period.co_located) == ("total", True, True)


def test_the_form_explains_an_overlap_next_to_the_first_day(site_a, manager_x, client_for):
    insert(site_a, D(2020, 1, 1), D(2022, 12, 31))
    response = client_for(manager_x).post(
        add_url(site_a),
        {"model": "hybrid", "valid_from": "2022-06-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_valid_from_error"' in html
    assert 'aria-describedby="id_valid_from_error"' in html
    assert "overlaps" in html
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 1


def test_when_only_the_database_sees_the_overlap_the_page_shows_an_error_not_a_500(
    site_a, manager_x, client_for, monkeypatch
):
    # Another manager saved an overlapping period between validation and saving: the form's
    # own check finds nothing, the database refuses, the page explains.
    insert(site_a, D(2020, 1, 1), None)
    monkeypatch.setattr(
        organisation_forms,
        "overlapping_periods",
        lambda *args: SiteModelPeriod.objects.none(),
    )
    response = client_for(manager_x).post(
        add_url(site_a), {"model": "hybrid", "valid_from": "2023-01-01"}
    )
    assert response.status_code == 400
    assert 'id="id_valid_from_error"' in response.content.decode()
    assert SiteModelPeriod.objects.filter(site=site_a).count() == 1


def test_a_desk_worker_may_not_open_the_form(site_a, desk_worker_x, client_for):
    client = client_for(desk_worker_x)
    assert client.get(add_url(site_a)).status_code == 403
    assert (
        client.post(add_url(site_a), {"model": "total", "valid_from": "2021-01-01"}).status_code
        == 403
    )
    assert not SiteModelPeriod.objects.exists()


def test_an_outsider_cannot_add_a_period_to_a_site_of_another_municipality(
    site_a, outsider_y, client_for, municipality_y
):
    client = client_for(outsider_y)
    assert (
        client.post(add_url(site_a), {"model": "total", "valid_from": "2021-01-01"}).status_code
        == 404
    )
    # Nor through their own municipality's address with the other municipality's site id.
    foreign = reverse("organisation:site_model_period_add", args=[municipality_y.slug, site_a.pk])
    assert client.post(foreign, {"model": "total", "valid_from": "2021-01-01"}).status_code == 404
    assert not SiteModelPeriod.objects.exists()
