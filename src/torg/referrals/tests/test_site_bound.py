"""The queue for members bound to some sites (``Membership.sites``): a referral made at
another site is seen only by members of the team it went to, even when that team also
covers the member's own sites (found by the newcomer trial: a site-bound manager could see
and accept it); a team at other sites is not the site-bound manager's to edit."""

from __future__ import annotations

import pytest

from torg.organisation.models import Membership, Role
from torg.organisation.scoping import Tenancy
from torg.referrals.services import referral_create
from torg.referrals.tests.factories import make_inquiry, make_team
from torg.testing.factories import make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(municipality_x, site_a):
    site_c = make_site(municipality_x, "Torget C")
    manager = make_user("manager-a", municipality_x, Role.MANAGER)
    member = make_user("member-a", municipality_x, Role.DESK_STAFF)
    for user in (manager, member):
        Membership.objects.get(user_id=user.pk).sites.set([site_a])
    team = make_team(municipality_x, "Felles team", members=(member,), sites=(site_a, site_c))
    admin = make_user("admin-all", municipality_x, Role.ADMINISTRATOR)
    referral = referral_create(
        tenancy=Tenancy(municipality=municipality_x, role=Role.ADMINISTRATOR),
        actor=admin,
        inquiry=make_inquiry(site_c),
        team=team,
    ).referral
    return {"manager": manager, "member": member, "team": team, "referral": referral}


def test_a_site_bound_manager_neither_sees_nor_accepts_another_sites_referral(
    setting, municipality_x, client_for
):
    client = client_for(setting["manager"])
    slug, pk = municipality_x.slug, setting["referral"].pk
    assert client.get(f"/api/v1/m/{slug}/referrals/").json()["count"] == 0
    accept = client.post(
        f"/api/v1/m/{slug}/referrals/{pk}/accept/", headers={"Idempotency-Key": "accept-1"}
    )
    assert accept.status_code == 404
    setting["referral"].refresh_from_db()
    assert setting["referral"].status == "new"
    assert "Torget C" not in client.get(f"/m/{slug}/queue/?status=all").content.decode()


def test_a_member_of_the_team_sees_the_referral_made_at_another_site(
    setting, municipality_x, client_for
):
    client = client_for(setting["member"])
    listed = client.get(f"/api/v1/m/{municipality_x.slug}/referrals/").json()
    assert [row["id"] for row in listed["results"]] == [setting["referral"].pk]


def test_the_teams_page_offers_edit_only_for_the_managers_own_teams(
    setting, municipality_x, site_a, client_for
):
    own = make_team(municipality_x, "Eget team", sites=(site_a,))
    client = client_for(setting["manager"])
    body = client.get(f"/m/{municipality_x.slug}/queue/teams/").content.decode()
    assert f"/queue/teams/{own.pk}/" in body
    assert f"/queue/teams/{setting['team'].pk}/" not in body
    assert (
        client.get(f"/m/{municipality_x.slug}/queue/teams/{setting['team'].pk}/").status_code == 404
    )
