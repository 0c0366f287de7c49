"""The queue pages as each persona: what is shown, the POST actions, refusals and tenancy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from torg.referrals.models import DigitalInquiry, DigitalStatus, Referral, ReferralStatus, Team
from torg.referrals.tests.factories import make_inquiry, make_specialist, make_team
from torg.testing.factories import make_site


@pytest.fixture
def specialist_x(municipality_x):
    return make_specialist(municipality_x)


@pytest.fixture
def team_x(municipality_x, specialist_x, site_a):
    return make_team(municipality_x, "NAV-veiledning", members=(specialist_x,), sites=(site_a,))


def queue_url(municipality) -> str:
    return reverse("referrals:queue", args=[municipality.slug])


def create_url(municipality, inquiry=None) -> str:
    url = reverse("referrals:create", args=[municipality.slug])
    return f"{url}?inquiry={inquiry.pk}" if inquiry is not None else url


def test_a_desk_worker_refers_an_inquiry_from_the_create_page(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    client = client_for(desk_worker_x)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read English
    page = client.get(create_url(municipality_x, inquiry))
    assert page.status_code == 200
    body = page.content.decode()
    assert "NAV-veiledning" in body and 'name="csrfmiddlewaretoken"' in body
    assert '<label for="id_team"' in body
    key = page.context["form"].initial["client_key"]
    data = {"team": team_x.pk, "note": "Kontakt: ola@example.no", "client_key": key}
    response = client.post(create_url(municipality_x, inquiry), data, follow=True)
    assert response.redirect_chain[0][1] == 303
    referral = Referral.objects.get()
    assert referral.inquiry == inquiry and referral.to_team == team_x
    assert "ola@example.no" not in referral.note
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 e-mail address" in m for m in messages), messages
    # The form sent twice (a double click, a reload) still makes one referral.
    client.post(create_url(municipality_x, inquiry), data)
    assert Referral.objects.count() == 1


def test_the_create_page_refuses_a_missing_team_and_names_the_field(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    response = client_for(desk_worker_x).post(create_url(municipality_x, inquiry), {"team": ""})
    assert response.status_code == 400
    assert 'href="#id_team"' in response.content.decode()
    assert not Referral.objects.exists()


def test_the_create_page_without_an_inquiry_explains_where_to_start(
    municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(create_url(municipality_x))
    assert response.status_code == 200
    assert reverse("inquiries:list", args=[municipality_x.slug]) in response.content.decode()
    bad = client_for(desk_worker_x).get(create_url(municipality_x) + "?inquiry=abc")
    assert bad.status_code == 400


def test_an_inquiry_of_another_municipality_is_not_found(
    municipality_x, desk_worker_x, site_b, client_for
):
    response = client_for(desk_worker_x).get(create_url(municipality_x, make_inquiry(site_b)))
    assert response.status_code == 404


def test_an_analyst_cannot_refer(municipality_x, analyst_x, site_a, client_for):
    response = client_for(analyst_x).get(create_url(municipality_x, make_inquiry(site_a)))
    assert response.status_code == 403


def test_the_specialist_sees_the_referral_and_accepts_and_completes_it(
    municipality_x, desk_worker_x, specialist_x, site_a, team_x, client_for
):
    referral = Referral.objects.create(
        municipality=municipality_x,
        inquiry=make_inquiry(site_a),
        to_team=team_x,
        # 30 s of slack so that the page, rendered a moment later, still shows 47 h 0 min.
        created_at=timezone.now() - dt.timedelta(minutes=59, seconds=30),
    )
    client = client_for(specialist_x)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read English
    page = client.get(queue_url(municipality_x))
    body = page.content.decode()
    assert page.status_code == 200 and "NAV-veiledning" in body
    accept = reverse("referrals:accept", args=[municipality_x.slug, referral.pk])
    assert f'action="{accept}"' in body
    assert "Due in 47 h 0 min" in body  # 48 h target, referred an hour ago
    assert client.get(accept).status_code == 405
    response = client.post(accept)
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.accepted_by == specialist_x
    complete = reverse("referrals:complete", args=[municipality_x.slug, referral.pk])
    assert f'action="{complete}"' in client.get(queue_url(municipality_x)).content.decode()
    client.post(complete, {"outcome": "appointment"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.outcome == "appointment"
    # A second completion is refused with a message, not an error page.
    again = client.post(complete, {"outcome": "resolved"}, follow=True)
    assert again.status_code == 200
    assert any("cannot be done now" in str(m) for m in again.context["messages"])


def test_a_desk_worker_outside_the_team_sees_her_referral_but_no_actions(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    referral = Referral.objects.create(
        municipality=municipality_x,
        inquiry=make_inquiry(site_a),
        to_team=team_x,
        created_at=timezone.now(),
        created_by=desk_worker_x,
    )
    client = client_for(desk_worker_x)
    body = client.get(queue_url(municipality_x)).content.decode()
    accept = reverse("referrals:accept", args=[municipality_x.slug, referral.pk])
    assert "NAV-veiledning" in body and accept not in body
    assert client.post(accept).status_code == 403
    assert Referral.objects.get().status == ReferralStatus.NEW


def test_an_overdue_digital_inquiry_shows_by_how_much_and_can_be_taken(
    municipality_x, specialist_x, team_x, client_for
):
    received = timezone.now() - dt.timedelta(hours=50, minutes=1)
    item = DigitalInquiry.objects.create(
        municipality=municipality_x,
        channel="email",
        received_at=received,
        team=team_x,
        due_at=received + dt.timedelta(hours=48),
    )
    client = client_for(specialist_x)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read English
    body = client.get(queue_url(municipality_x)).content.decode()
    assert "Overdue by 2 h" in body
    client.post(reverse("referrals:assign", args=[municipality_x.slug, item.pk]))
    client.post(reverse("referrals:answer", args=[municipality_x.slug, item.pk]))
    item.refresh_from_db()
    assert item.status == DigitalStatus.ANSWERED and item.assigned_to == specialist_x
    assert "Overdue by" not in client.get(queue_url(municipality_x)).content.decode()


def test_a_manager_triages_an_untriaged_inquiry_from_the_page(
    municipality_x, manager_x, desk_worker_x, team_x, client_for
):
    item = DigitalInquiry.objects.create(
        municipality=municipality_x, channel="chat", received_at=timezone.now()
    )
    triage = reverse("referrals:triage", args=[municipality_x.slug, item.pk])
    assert triage not in client_for(desk_worker_x).get(queue_url(municipality_x)).content.decode()
    assert client_for(desk_worker_x).post(triage, {"team": team_x.pk}).status_code == 404
    manager = client_for(manager_x)
    assert triage in manager.get(queue_url(municipality_x)).content.decode()
    manager.post(triage, {"team": team_x.pk})
    item.refresh_from_db()
    assert item.team == team_x and item.due_at is not None


def test_the_status_filter(municipality_x, manager_x, team_x, client_for):
    DigitalInquiry.objects.create(
        municipality=municipality_x,
        channel="chat",
        received_at=timezone.now() - dt.timedelta(hours=1),
        status=DigitalStatus.CLOSED,
        closed_at=timezone.now(),
    )
    client = client_for(manager_x)
    assert client.get(queue_url(municipality_x)).context["queue"].digital == []
    closed = client.get(queue_url(municipality_x), {"status": "closed"}).context["queue"]
    assert len(closed.digital) == 1
    assert client.get(queue_url(municipality_x), {"status": "bogus"}).status_code == 400


def test_an_outsider_gets_404_for_the_queue_pages_of_another_municipality(
    municipality_x, outsider_y, site_a, team_x, client_for
):
    referral = Referral.objects.create(
        municipality=municipality_x,
        inquiry=make_inquiry(site_a),
        to_team=team_x,
        created_at=timezone.now(),
    )
    client = client_for(outsider_y)
    for url in (
        queue_url(municipality_x),
        reverse("referrals:teams", args=[municipality_x.slug]),
        reverse("referrals:team-edit", args=[municipality_x.slug, team_x.pk]),
    ):
        assert client.get(url).status_code == 404, url
    accept = reverse("referrals:accept", args=[municipality_x.slug, referral.pk])
    assert client.post(accept).status_code == 404
    # Through her own municipality's URLs, X's ids are unknown.
    own = outsider_y.memberships.get().municipality
    assert client.post(reverse("referrals:accept", args=[own.slug, referral.pk])).status_code == 404
    assert client.get(reverse("referrals:team-edit", args=[own.slug, team_x.pk])).status_code == 404
    assert Referral.objects.get().status == ReferralStatus.NEW


def test_managers_create_and_edit_teams_and_others_may_not(
    municipality_x, manager_x, desk_worker_x, analyst_x, specialist_x, site_a, client_for
):
    teams = reverse("referrals:teams", args=[municipality_x.slug])
    assert client_for(desk_worker_x).get(teams).status_code == 403
    assert client_for(analyst_x).get(teams).status_code == 403
    manager = client_for(manager_x)
    page = manager.get(teams)
    assert page.status_code == 200 and "<legend>" in page.content.decode()
    membership = specialist_x.memberships.get()
    response = manager.post(
        teams,
        {
            "name": "Biblioteket digitalt",
            "domain": "library",
            "sites": [site_a.pk],
            "members": [membership.pk],
            "service_level_hours": 24,
            "is_active": "on",
        },
    )
    assert response.status_code == 303
    team = Team.objects.get()
    assert list(team.sites.all()) == [site_a] and list(team.members.all()) == [membership]
    duplicate = manager.post(
        teams, {"name": "biblioteket digitalt", "domain": "library", "service_level_hours": 24}
    )
    assert duplicate.status_code == 400
    edit = reverse("referrals:team-edit", args=[municipality_x.slug, team.pk])
    manager.post(
        edit, {"name": "Biblioteket digitalt", "domain": "shared", "service_level_hours": 12}
    )
    team.refresh_from_db()
    assert team.domain == "shared" and team.service_level_hours == 12 and not team.is_active
    assert list(team.members.all()) == []


def test_the_nav_links_to_the_queue(municipality_x, desk_worker_x, client_for):
    body = client_for(desk_worker_x).get(queue_url(municipality_x)).content.decode()
    assert f'href="{queue_url(municipality_x)}" aria-current="page"' in body


def test_times_are_shown_in_the_zone_of_the_inquirys_site(municipality_x, manager_x, client_for):
    toronto = make_site(municipality_x, "Toronto branch", time_zone="America/Toronto")
    team = make_team(municipality_x, "Remote")
    Referral.objects.create(
        municipality=municipality_x,
        inquiry=make_inquiry(toronto),
        to_team=team,
        created_at=dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC),  # 10:00 EST (UTC−5)
    )
    body = client_for(manager_x).get(queue_url(municipality_x), {"status": "all"}).content.decode()
    assert 'datetime="2026-03-02T10:00:00-05:00"' in body
    # Its service-level due time too: 48 h later, 4 March 10:00 in Toronto.
    assert 'datetime="2026-03-04T10:00:00-05:00"' in body


def test_an_analyst_sees_every_queue_but_has_no_actions(
    municipality_x, analyst_x, site_a, team_x, client_for
):
    referral = Referral.objects.create(
        municipality=municipality_x,
        inquiry=make_inquiry(site_a),
        to_team=team_x,
        created_at=timezone.now(),
    )
    client = client_for(analyst_x)
    page = client.get(queue_url(municipality_x))
    accept = reverse("referrals:accept", args=[municipality_x.slug, referral.pk])
    assert page.status_code == 200 and len(page.context["queue"].referrals) == 1
    assert accept not in page.content.decode()
    assert client.post(accept).status_code == 403
    assert Referral.objects.get().status == ReferralStatus.NEW
