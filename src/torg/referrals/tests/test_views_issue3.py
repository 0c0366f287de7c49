"""The referral pages after the desk worker's trial (issue 3): no second open referral of an
inquiry, the service list in the reader's language and preset to the inquiry's service,
queue buttons that say which referral they act on, refusals in words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from torg.catalogue.models import Service
from torg.inquiries.tests.desk_world import make_service
from torg.referrals.models import Referral
from torg.referrals.tests.factories import T0, make_inquiry, make_specialist, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialist_x(municipality_x):
    return make_specialist(municipality_x)


@pytest.fixture
def team_x(municipality_x, specialist_x, site_a):
    return make_team(
        municipality_x, "Kommunale tjenester", members=(specialist_x,), sites=(site_a,)
    )


def create_url(municipality, inquiry) -> str:
    return f"{reverse('referrals:create', args=[municipality.slug])}?inquiry={inquiry.pk}"


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_form_sent_twice_with_new_keys_makes_one_referral_and_names_it(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    client = english(client_for(desk_worker_x))
    url = create_url(municipality_x, inquiry)
    first = client.post(url, {"team": team_x.pk, "client_key": "form-a"})
    assert first.status_code == 303
    second = client.post(url, {"team": team_x.pk, "client_key": "form-b"})
    referral = Referral.objects.get()
    assert second.status_code == 400
    assert (
        f"This inquiry is already referred to Kommunale tjenester (referral {referral.pk}, new)."
        in second.content.decode()
    )


def test_the_form_warns_before_referring_an_inquiry_that_has_an_open_referral(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    client = english(client_for(desk_worker_x))
    url = create_url(municipality_x, inquiry)
    assert "already referred" not in client.get(url).content.decode()
    client.post(url, {"team": team_x.pk, "client_key": "form-a"})
    assert "already referred to Kommunale tjenester" in client.get(url).content.decode()


def test_a_declined_referral_may_be_followed_by_a_new_one_from_the_form(
    municipality_x, desk_worker_x, specialist_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    client = english(client_for(desk_worker_x))
    url = create_url(municipality_x, inquiry)
    client.post(url, {"team": team_x.pk, "client_key": "form-a"})
    first = Referral.objects.get()
    decline = reverse("referrals:decline", args=[municipality_x.slug, first.pk])
    assert client_for(specialist_x).post(decline).status_code == 303
    assert client.post(url, {"team": team_x.pk, "client_key": "form-b"}).status_code == 303
    assert sorted(Referral.objects.values_list("status", flat=True)) == ["declined", "new"]


def service_options(html: str) -> list[str]:
    select = re.search(r'<select name="service"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select.group(1))


@pytest.fixture
def services_x(municipality_x) -> list[Service]:
    # Alphabetical order differs between the languages (reference orders below).
    return [
        make_service(
            municipality_x, "avgift", name_nb="Kommunale avgifter", name_en="Municipal charges"
        ),
        make_service(
            municipality_x, "nav", name_nb="NAV-kontoret", name_en="Labour and welfare office"
        ),
        make_service(municipality_x, "bostotte", name_nb="Bostøtte", name_en="Housing allowance"),
        make_service(municipality_x, "avfall", name_nb="Avfall", name_en="Waste collection"),
    ]


def test_the_services_are_sorted_by_the_name_in_the_pages_language(
    municipality_x, desk_worker_x, site_a, team_x, services_x, client_for
):
    url = create_url(municipality_x, make_inquiry(site_a))
    client = client_for(desk_worker_x)
    in_english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert service_options(in_english) == [
        "Housing allowance",
        "Labour and welfare office",
        "Municipal charges",
        "Waste collection",
    ]
    in_bokmal = client.get(url, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert service_options(in_bokmal) == [
        "Avfall",
        "Bostøtte",
        "Kommunale avgifter",
        "NAV-kontoret",
    ]


def test_the_service_wanted_is_preset_to_the_inquirys_service(
    municipality_x, desk_worker_x, site_a, team_x, services_x, client_for
):
    inquiry = make_inquiry(site_a)
    inquiry.service = services_x[1]
    inquiry.save()
    html = english(client_for(desk_worker_x)).get(create_url(municipality_x, inquiry)).content
    selected = re.findall(r'<option value="(\d+)"[^>]*selected', html.decode())
    assert selected == [str(services_x[1].pk)]


def accessible_names(html: str, label: str) -> list[str]:
    """The text of each button that starts with ``label``, tags removed, spaces collapsed."""
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
    names = [" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in buttons]
    return [name for name in names if name.startswith(label)]


def test_the_queue_buttons_name_the_referral_they_act_on(
    municipality_x, desk_worker_x, specialist_x, site_a, team_x, client_for
):
    referrals = [
        Referral.objects.create(
            municipality=municipality_x, inquiry=make_inquiry(site_a), to_team=team_x, created_at=T0
        )
        for _ in range(2)
    ]
    client = english(client_for(specialist_x))
    html = client.get(reverse("referrals:queue", args=[municipality_x.slug])).content.decode()
    when = "2 Mar 2026, 11:00"  # T0 = 2 March 2026 10:00 UTC, 11:00 in Oslo (DATETIME_FORMAT, en)
    accepts = accessible_names(html, "Accept")
    assert sorted(accepts) == sorted(
        f"Accept referral {r.pk} (Kommunale tjenester, {when})" for r in referrals
    )
    assert len(set(accessible_names(html, "Decline"))) == 2
