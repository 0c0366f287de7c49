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
from torg.organisation.services import (
    site_model_period_add,
    site_model_period_delete,
    site_model_period_update,
)

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


# --- Correcting and deleting a period ---------------------------------------------------


def edit_url(period) -> str:
    return reverse(
        "organisation:site_model_period_edit",
        args=[period.site.municipality.slug, period.site.pk, period.pk],
    )


def delete_url(period) -> str:
    return reverse(
        "organisation:site_model_period_delete",
        args=[period.site.municipality.slug, period.site.pk, period.pk],
    )


def test_the_service_corrects_a_period_and_the_database_still_refuses_an_overlap(
    site_a, municipality_x
):
    first = insert(site_a, D(2020, 1, 1), D(2020, 12, 31))
    second = insert(site_a, D(2021, 1, 1), None, model="hybrid")
    corrected = site_model_period_update(
        municipality=municipality_x,
        period=first,
        model="one_door_in",
        valid_from=D(2019, 6, 1),
        valid_to=D(2020, 12, 31),
        note="Fra feil år",
    )
    assert (corrected.model, corrected.valid_from, corrected.note) == (
        "one_door_in",
        D(2019, 6, 1),
        "Fra feil år",
    )
    with pytest.raises(ValidationError) as caught:
        site_model_period_update(
            municipality=municipality_x,
            period=second,
            model="hybrid",
            valid_from=D(2020, 6, 1),
        )
    assert "valid_from" in caught.value.message_dict
    second.refresh_from_db()
    assert second.valid_from == D(2021, 1, 1)


def test_the_services_refuse_a_period_of_another_municipality(site_b, municipality_x):
    foreign = insert(site_b, D(2020, 1, 1))
    with pytest.raises(ValueError):
        site_model_period_update(
            municipality=municipality_x, period=foreign, model="total", valid_from=D(2019, 1, 1)
        )
    with pytest.raises(ValueError):
        site_model_period_delete(municipality=municipality_x, period=foreign)
    assert SiteModelPeriod.objects.filter(pk=foreign.pk).exists()


def test_a_manager_corrects_a_period_through_the_form(site_a, manager_x, client_for):
    period = insert(site_a, D(2020, 1, 1), None, model="pac_man")
    client = client_for(manager_x)
    form = client.get(edit_url(period))
    assert form.status_code == 200
    assert 'value="2020-01-01"' in form.content.decode()
    assert "close_open_period" not in form.content.decode()
    response = client.post(
        edit_url(period),
        {"model": "total", "valid_from": "2020-03-01", "co_organised": "on", "note": "Rettet"},
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.model, period.valid_from, period.valid_to, period.note) == (
        "total",
        D(2020, 3, 1),
        None,
        "Rettet",
    )


def test_a_correction_that_overlaps_another_period_is_explained_next_to_the_first_day(
    site_a, manager_x, client_for
):
    insert(site_a, D(2020, 1, 1), D(2020, 12, 31))
    later = insert(site_a, D(2021, 1, 1), None)
    response = client_for(manager_x).post(
        edit_url(later), {"model": "hybrid", "valid_from": "2020-06-01"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_valid_from_error"' in html and "overlaps" in html
    later.refresh_from_db()
    assert (later.model, later.valid_from) == ("total", D(2021, 1, 1))


def test_a_period_does_not_overlap_itself_when_corrected(site_a, manager_x, client_for):
    period = insert(site_a, D(2020, 1, 1), None)
    response = client_for(manager_x).post(
        edit_url(period), {"model": "total", "valid_from": "2020-01-01", "valid_to": "2022-12-31"}
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.valid_to == D(2022, 12, 31)


def test_when_only_the_database_sees_the_overlap_of_a_correction_the_page_explains(
    site_a, manager_x, client_for, monkeypatch
):
    insert(site_a, D(2020, 1, 1), D(2020, 12, 31))
    later = insert(site_a, D(2021, 1, 1), None)
    monkeypatch.setattr(
        organisation_forms, "overlapping_periods", lambda *args: SiteModelPeriod.objects.none()
    )
    response = client_for(manager_x).post(
        edit_url(later), {"model": "hybrid", "valid_from": "2020-06-01"}
    )
    assert response.status_code == 400
    assert 'id="id_valid_from_error"' in response.content.decode()
    later.refresh_from_db()
    assert later.valid_from == D(2021, 1, 1)


def test_a_manager_deletes_a_period_after_confirming(site_a, manager_x, client_for):
    keep = insert(site_a, D(2019, 1, 1), D(2019, 12, 31))
    wrong = insert(site_a, D(2020, 1, 1), None, model="hybrid")
    client = client_for(manager_x)
    confirm = client.get(delete_url(wrong), HTTP_ACCEPT_LANGUAGE="en")
    assert confirm.status_code == 200
    assert "Delete the period" in confirm.content.decode()
    assert SiteModelPeriod.objects.filter(pk=wrong.pk).exists()  # a GET deletes nothing
    response = client.post(delete_url(wrong))
    assert response.status_code == 302
    assert list(SiteModelPeriod.objects.filter(site=site_a)) == [keep]
    # A second click on the same button finds nothing to delete: not found, nothing else gone.
    assert client.post(delete_url(wrong)).status_code == 404
    assert SiteModelPeriod.objects.filter(pk=keep.pk).exists()


@pytest.mark.parametrize("persona", ["desk_worker_x", "analyst_x"])
def test_only_managers_may_correct_or_delete_a_period(persona, site_a, client_for, request):
    period = insert(site_a, D(2020, 1, 1))
    client = client_for(request.getfixturevalue(persona))
    assert client.get(edit_url(period)).status_code == 403
    assert (
        client.post(edit_url(period), {"model": "hybrid", "valid_from": "2019-01-01"}).status_code
        == 403
    )
    assert client.post(delete_url(period)).status_code == 403
    period.refresh_from_db()
    assert (period.model, period.valid_from) == ("total", D(2020, 1, 1))


def test_an_outsider_can_neither_correct_nor_delete_a_period_of_another_municipality(
    site_a, outsider_y, municipality_y, client_for
):
    period = insert(site_a, D(2020, 1, 1))
    client = client_for(outsider_y)
    assert (
        client.post(edit_url(period), {"model": "hybrid", "valid_from": "2019-01-01"}).status_code
        == 404
    )
    assert client.post(delete_url(period)).status_code == 404
    # Nor through their own municipality's address, nor a site of theirs.
    own_site = municipality_y.sites.create(name="Y", kind="library", time_zone="Europe/Oslo")
    for site_pk in (site_a.pk, own_site.pk):
        foreign = reverse(
            "organisation:site_model_period_delete", args=[municipality_y.slug, site_pk, period.pk]
        )
        assert client.post(foreign).status_code == 404
    assert SiteModelPeriod.objects.filter(pk=period.pk).exists()


def test_a_period_is_reached_only_through_its_own_site(
    site_a, municipality_x, manager_x, client_for
):
    other = municipality_x.sites.create(name="Filial", kind="library", time_zone="Europe/Oslo")
    period = insert(site_a, D(2020, 1, 1))
    wrong_site = reverse(
        "organisation:site_model_period_delete", args=[municipality_x.slug, other.pk, period.pk]
    )
    assert client_for(manager_x).post(wrong_site).status_code == 404
    assert SiteModelPeriod.objects.filter(pk=period.pk).exists()


def test_the_site_page_offers_correct_and_delete_to_managers_only(
    site_a, manager_x, desk_worker_x, client_for
):
    period = insert(site_a, D(2020, 1, 1))
    site_url = reverse("organisation:site", args=[site_a.municipality.slug, site_a.pk])
    managed = client_for(manager_x).get(site_url).content.decode()
    assert edit_url(period) in managed and delete_url(period) in managed
    seen = client_for(desk_worker_x).get(site_url).content.decode()
    assert edit_url(period) not in seen and delete_url(period) not in seen


def test_a_long_note_without_spaces_wraps_in_the_history_table(site_a, desk_worker_x, client_for):
    period = insert(site_a, D(2020, 1, 1))
    period.note = "x" * 400
    period.save()
    html = (
        client_for(desk_worker_x)
        .get(reverse("organisation:site", args=[site_a.municipality.slug, site_a.pk]))
        .content.decode()
    )
    assert f'<td class="long-text">{"x" * 400}</td>' in html


# --- The "Pac-man" warning --------------------------------------------------------------

PAC_MAN_EN = (
    "The evaluation project warned against the “Pac-man” model, above all when the motive "
    "is only to save money."
)


def test_the_form_warns_against_the_pac_man_model(site_a, manager_x, client_for):
    html = client_for(manager_x).get(add_url(site_a), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PAC_MAN_EN in html
    assert 'aria-describedby="id_model_helptext"' in html
    norwegian = client_for(manager_x).get(add_url(site_a), HTTP_ACCEPT_LANGUAGE="nb")
    assert "Evalueringsprosjektet frarådet «Pac-man»-modellen" in norwegian.content.decode()


def test_the_model_history_warns_against_a_pac_man_period_and_only_then(
    site_a, desk_worker_x, client_for
):
    site_url = reverse("organisation:site", args=[site_a.municipality.slug, site_a.pk])
    client = client_for(desk_worker_x)
    insert(site_a, D(2020, 1, 1), D(2020, 12, 31), model="total")
    assert PAC_MAN_EN not in client.get(site_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    insert(site_a, D(2021, 1, 1), None, model="pac_man")
    html = client.get(site_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count(PAC_MAN_EN) == 1
    assert "see the warning below the table" in html
