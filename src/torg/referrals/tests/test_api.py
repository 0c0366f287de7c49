"""The queue API as each persona: idempotent writes, steps, roles and tenancy."""

from __future__ import annotations

import pytest

from torg.referrals.models import DigitalInquiry, DigitalStatus, Referral, ReferralStatus
from torg.referrals.tests.factories import make_inquiry, make_specialist, make_team

BASE = "/api/v1/m/{slug}/"


@pytest.fixture
def specialist_x(municipality_x):
    return make_specialist(municipality_x)


@pytest.fixture
def team_x(municipality_x, specialist_x, site_a):
    return make_team(municipality_x, "Skatt og avgift", members=(specialist_x,), sites=(site_a,))


def url(municipality, tail: str) -> str:
    return BASE.format(slug=municipality.slug) + tail


def post(client, path, data=None, key="k-1"):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, data or {}, content_type="application/json", headers=headers)


def test_referring_with_the_same_key_three_times_stores_one_referral(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    inquiry = make_inquiry(site_a)
    client = client_for(desk_worker_x)
    body = {"inquiry": inquiry.pk, "to_team": team_x.pk, "note": "Svar til per@example.org"}
    responses = [post(client, url(municipality_x, "referrals/"), body) for _ in range(3)]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert responses[1]["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1
    data = responses[0].json()
    assert data["note"] == "Svar til [E-MAIL]" and data["removed"] == {"email": 1}
    assert data["status"] == "new"
    assert data["created_at"].endswith("+01:00")  # shown in Oslo time (winter)


def test_a_write_without_a_key_is_refused(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    response = post(client_for(desk_worker_x), url(municipality_x, "referrals/"), body, key=None)
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_an_inquiry_of_another_municipality_is_unknown(
    municipality_x, desk_worker_x, site_b, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_b).pk, "to_team": team_x.pk}
    response = post(client_for(desk_worker_x), url(municipality_x, "referrals/"), body)
    assert response.status_code == 400 and "inquiry" in response.json()
    assert not Referral.objects.exists()


def test_the_specialist_accepts_and_completes_through_the_api(
    municipality_x, desk_worker_x, specialist_x, site_a, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    pk = post(client_for(desk_worker_x), url(municipality_x, "referrals/"), body).json()["id"]
    client = client_for(specialist_x)
    accepted = post(client, url(municipality_x, f"referrals/{pk}/accept/"), key="a")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(client, url(municipality_x, f"referrals/{pk}/accept/"), key="a")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    twice = post(client, url(municipality_x, f"referrals/{pk}/accept/"), key="a2")
    assert twice.status_code == 400  # a new key: the step itself is refused
    bad = post(client, url(municipality_x, f"referrals/{pk}/complete/"), {"outcome": "x"}, "c0")
    assert bad.status_code == 400
    done = post(
        client, url(municipality_x, f"referrals/{pk}/complete/"), {"outcome": "resolved"}, "c"
    )
    assert done.status_code == 200
    assert done.json()["status"] == "completed" and done.json()["outcome"] == "resolved"
    assert done.json()["time_to_completion_minutes"] >= 0
    assert Referral.objects.get(pk=pk).status == ReferralStatus.COMPLETED


def test_a_step_url_read_with_get_changes_nothing(
    municipality_x, desk_worker_x, specialist_x, site_a, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    pk = post(client_for(desk_worker_x), url(municipality_x, "referrals/"), body).json()["id"]
    response = client_for(specialist_x).get(url(municipality_x, f"referrals/{pk}/accept/"))
    assert response.status_code == 200 and response.json()["status"] == "new"
    assert Referral.objects.get(pk=pk).status == ReferralStatus.NEW


def test_roles_in_the_api(municipality_x, desk_worker_x, analyst_x, site_a, team_x, client_for):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    analyst = client_for(analyst_x)
    assert post(analyst, url(municipality_x, "referrals/"), body).status_code == 403
    pk = post(client_for(desk_worker_x), url(municipality_x, "referrals/"), body).json()["id"]
    # The analyst sees it but may not act; the desk worker who made it is not in the team.
    assert analyst.get(url(municipality_x, "referrals/")).json()["count"] == 1
    assert post(analyst, url(municipality_x, f"referrals/{pk}/accept/")).status_code == 403
    desk = client_for(desk_worker_x)
    assert post(desk, url(municipality_x, f"referrals/{pk}/accept/"), key="d").status_code == 403
    assert desk.get(url(municipality_x, "referrals/")).json()["count"] == 1  # her own


def test_a_desk_worker_does_not_see_other_teams_referrals(
    municipality_x, manager_x, desk_worker_x, site_a, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    pk = post(client_for(manager_x), url(municipality_x, "referrals/"), body).json()["id"]
    desk = client_for(desk_worker_x)
    assert desk.get(url(municipality_x, "referrals/")).json()["count"] == 0
    assert desk.get(url(municipality_x, f"referrals/{pk}/")).status_code == 404


def test_an_outsider_gets_404_for_everything_of_another_municipality(
    municipality_x, manager_x, outsider_y, site_a, team_x, client_for
):
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    pk = post(client_for(manager_x), url(municipality_x, "referrals/"), body).json()["id"]
    outsider = client_for(outsider_y)
    for path in ("referrals/", f"referrals/{pk}/", "teams/", "digital-inquiries/"):
        assert outsider.get(url(municipality_x, path)).status_code == 404, path
    assert post(outsider, url(municipality_x, f"referrals/{pk}/accept/")).status_code == 404
    # Through her own municipality's URL the id of X is simply unknown.
    response = post(
        outsider, url(outsider_y.memberships.get().municipality, f"referrals/{pk}/accept/")
    )
    assert response.status_code == 404
    assert Referral.objects.get(pk=pk).status == ReferralStatus.NEW


def test_receiving_a_digital_inquiry_three_times_stores_it_once(
    municipality_x, manager_x, desk_worker_x, team_x, client_for
):
    body = {
        "channel": "email",
        "received_at": "2026-03-02T09:15:00+01:00",
        "summary": "Søknad om startlån",
        "team": team_x.pk,
    }
    client = client_for(manager_x)
    responses = [
        post(client, url(municipality_x, "digital-inquiries/"), body, "m-1") for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert DigitalInquiry.objects.count() == 1
    data = responses[0].json()
    assert data["received_at"] == "2026-03-02T09:15:00+01:00"
    assert data["due_at"] == "2026-03-04T09:15:00+01:00"  # 48 calendar hours later
    # Another client sending the same message id in the body: still one row (200, not 201).
    other = post(
        client_for(desk_worker_x),
        url(municipality_x, "digital-inquiries/"),
        {**body, "client_key": "m-1"},
        "other-key",
    )
    assert other.status_code == 200 and other.json()["id"] == data["id"]
    assert DigitalInquiry.objects.count() == 1


def test_the_digital_steps_through_the_api(
    municipality_x, manager_x, specialist_x, team_x, client_for
):
    body = {"channel": "chat", "received_at": "2026-03-02T09:15:00Z"}
    manager = client_for(manager_x)
    pk = post(manager, url(municipality_x, "digital-inquiries/"), body, "r").json()["id"]
    specialist = client_for(specialist_x)
    assert (
        post(
            specialist,
            url(municipality_x, f"digital-inquiries/{pk}/triage/"),
            {"team": team_x.pk},
            "t0",
        ).status_code
        == 404
    )  # untriaged: not in her queue yet
    assert (
        post(
            manager,
            url(municipality_x, f"digital-inquiries/{pk}/triage/"),
            {"team": team_x.pk},
            "t",
        ).status_code
        == 200
    )
    assert (
        post(
            specialist,
            url(municipality_x, f"digital-inquiries/{pk}/triage/"),
            {"team": team_x.pk},
            "t1",
        ).status_code
        == 403
    )
    assigned = post(specialist, url(municipality_x, f"digital-inquiries/{pk}/assign/"), key="as")
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == specialist_x.pk
    assert (
        post(specialist, url(municipality_x, f"digital-inquiries/{pk}/answer/"), key="an").json()[
            "status"
        ]
        == DigitalStatus.ANSWERED
    )
    closed = post(specialist, url(municipality_x, f"digital-inquiries/{pk}/close/"), key="cl")
    assert closed.status_code == 200 and closed.json()["status"] == DigitalStatus.CLOSED
    filtered = manager.get(url(municipality_x, "digital-inquiries/"), {"status": "closed"}).json()
    assert filtered["count"] == 1
    assert (
        manager.get(url(municipality_x, "digital-inquiries/"), {"status": "nope"}).status_code
        == 400
    )


def test_a_manager_assigns_to_a_member_by_user_id_but_not_to_an_outsider(
    municipality_x, manager_x, specialist_x, outsider_y, team_x, client_for
):
    manager = client_for(manager_x)
    body = {"channel": "web_form", "received_at": "2026-03-02T09:15:00Z", "team": team_x.pk}
    pk = post(manager, url(municipality_x, "digital-inquiries/"), body, "r").json()["id"]
    outsider = post(
        manager,
        url(municipality_x, f"digital-inquiries/{pk}/assign/"),
        {"assignee": outsider_y.pk},
        "a0",
    )
    assert outsider.status_code == 400
    given = post(
        manager,
        url(municipality_x, f"digital-inquiries/{pk}/assign/"),
        {"assignee": specialist_x.pk},
        "a1",
    )
    assert given.status_code == 200 and given.json()["assigned_to"] == specialist_x.pk


def test_teams_are_listed_for_every_member(
    municipality_x, desk_worker_x, team_x, specialist_x, client_for
):
    data = client_for(desk_worker_x).get(url(municipality_x, "teams/")).json()
    assert data["count"] == 1
    assert data["results"][0]["name"] == "Skatt og avgift"
    assert data["results"][0]["members"] == ["specialist-x"]


def test_a_second_open_referral_of_an_inquiry_is_refused_with_400(
    municipality_x, desk_worker_x, site_a, team_x, client_for
):
    client = client_for(desk_worker_x)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read English
    body = {"inquiry": make_inquiry(site_a).pk, "to_team": team_x.pk}
    assert post(client, url(municipality_x, "referrals/"), body, key="r-1").status_code == 201
    second = post(client, url(municipality_x, "referrals/"), body, key="r-2")
    assert second.status_code == 400
    referral = Referral.objects.get()
    assert f"(referral {referral.pk}, " in str(second.json())
