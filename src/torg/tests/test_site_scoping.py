"""A desk worker or manager bound to some sites of a municipality (``Membership.sites``)
sees and changes only those sites' rows, through every page, export and API endpoint;
analysts still see the whole municipality (issue 3, "Permissions").

Municipality X gets two complete worlds (:mod:`torg.tests.world`): site A's (ids 70001)
and site B's (ids 60001). The rows of B that belong to a site carry the marker
``secret-…`` in their text; the personas are bound to site A. Every tenant URL is walked
with A's ids and with B's: a page may answer 404 or 403, or show something, but never a
marker of B. Rows that belong to no site (services, teams) are the municipality's and stay
visible; the test gives B's team site B, so that its queue is B's too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from torg.catalogue.models import Service
from torg.inquiries.models import Inquiry
from torg.organisation.models import (
    Membership,
    Municipality,
    Role,
    ServicePoint,
    Site,
    SiteModelPeriod,
)
from torg.organisation.scoping import Tenancy, tenancy_for
from torg.referrals.models import Team
from torg.testing.factories import PASSWORD, make_user
from torg.tests.routes import all_routes
from torg.tests.test_tenancy import UNSAFE_METHODS, request, values_for
from torg.tests.world import World, build_world
from torg.visits.models import Event, VisitCount

A_NUMBER = 70001
B_NUMBER = 60001
MARKER = "secret-"

ROUTES = [route for route in all_routes() if route.is_tenant]

#: B's rows that belong to site B, and the text field that gets the marker.
MARKED = {
    Site: "name",
    ServicePoint: "name",
    Inquiry: "note",
    VisitCount: "note",
    Event: "title",
    SiteModelPeriod: "note",
}


def _label(route: Any) -> str:
    return route.label


@pytest.fixture
def worlds(municipality_x: Municipality) -> tuple[World, World]:
    world_a = build_world(municipality_x, A_NUMBER)
    world_b = build_world(municipality_x, B_NUMBER, code="world-b")
    for model, field in MARKED.items():
        row = world_b.get(model)
        setattr(row, field, f"{MARKER}{model._meta.model_name}")
        row.save(update_fields=[field])
    Site.objects.filter(pk=B_NUMBER).update(code=f"{MARKER}code")
    world_b.get(Team).sites.set([world_b.get(Site)])
    return world_a, world_b


def _bound(user: Any, municipality: Municipality, site_pk: int) -> Any:
    membership = Membership.objects.get(user=user, municipality=municipality)
    membership.sites.set([site_pk])
    return user


@pytest.fixture
def desk_worker_a(worlds: tuple[World, World], municipality_x: Municipality) -> Any:
    user = worlds[0].user  # world A's member: desk staff
    user.set_password(PASSWORD)
    user.save()
    return _bound(user, municipality_x, A_NUMBER)


@pytest.fixture
def manager_a(worlds: tuple[World, World], municipality_x: Municipality) -> Any:
    return _bound(make_user("manager-a", municipality_x, Role.MANAGER), municipality_x, A_NUMBER)


def _body(response: Any) -> str:
    content = getattr(response, "streaming_content", None)
    raw = b"".join(content) if content is not None else response.content
    return raw.decode("utf-8", errors="replace")


def _snapshot_b() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model._default_manager.filter(pk=B_NUMBER).values())
        for model in MARKED
    }


@pytest.mark.parametrize("persona", ["desk_worker_a", "manager_a"])
@pytest.mark.parametrize("route", ROUTES, ids=_label)
def test_a_site_bound_member_sees_no_row_of_another_site(
    route, persona, request: pytest.FixtureRequest, worlds, client_for
):
    world_a, world_b = worlds
    client: Client = client_for(request.getfixturevalue(persona))
    for world in (world_a, world_b):
        path = route.path(values_for(route, world, municipality=world_a.municipality))
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code in {403, 404, 405}:
            continue
        body = _body(response)
        assert MARKER not in body, f"{path} shows {body[body.index(MARKER) :][:60]!r}"


@pytest.mark.parametrize("route", ROUTES, ids=_label)
def test_a_site_bound_manager_changes_no_row_of_another_site(route, worlds, manager_a, client_for):
    world_a, world_b = worlds
    client = client_for(manager_a)
    path = route.path(values_for(route, world_b, municipality=world_a.municipality))
    before = _snapshot_b()
    for method in UNSAFE_METHODS:
        request(client, method, path)
    assert _snapshot_b() == before, f"{path} changed a row of site B"


def test_the_markers_are_visible_to_an_analyst(worlds, municipality_x, client_for):
    # The control: the walk above would find the markers if the scoping let them through.
    analyst = make_user("analyst-all", municipality_x, Role.ANALYST)
    _bound(analyst, municipality_x, A_NUMBER)  # ignored: analysts see the whole municipality
    client = client_for(analyst)
    slug = municipality_x.slug
    assert MARKER in _body(client.get(f"/m/{slug}/inquiries/?format=csv")) or MARKER in _body(
        client.get(f"/api/v1/m/{slug}/sites/")
    )
    assert MARKER in _body(client.get(f"/api/v1/m/{slug}/sites/"))


def test_the_tenancy_carries_the_sites_of_desk_staff_and_managers_only(
    worlds, municipality_x, desk_worker_a, manager_a
):
    slug = municipality_x.slug
    assert tenancy_for(desk_worker_a, slug).site_ids == frozenset({A_NUMBER})
    assert tenancy_for(manager_a, slug).site_ids == frozenset({A_NUMBER})
    analyst = make_user("analyst-bound", municipality_x, Role.ANALYST)
    _bound(analyst, municipality_x, A_NUMBER)
    assert tenancy_for(analyst, slug).site_ids is None
    unbound = make_user("desk-all", municipality_x, Role.DESK_STAFF)
    assert tenancy_for(unbound, slug).site_ids is None  # no sites: every site


def test_scoped_counts_only_the_members_sites(worlds, municipality_x, manager_a):
    tenancy = tenancy_for(manager_a, municipality_x.slug)
    everyone = Tenancy(municipality=municipality_x, role=Role.ANALYST)
    assert set(tenancy.scoped(Inquiry).values_list("pk", flat=True)) == {A_NUMBER}
    assert set(everyone.scoped(Inquiry).values_list("pk", flat=True)) == {A_NUMBER, B_NUMBER}
    assert set(tenancy.scoped(Site).values_list("pk", flat=True)) == {A_NUMBER}
    # Rows of no site stay the municipality's: both worlds' services.
    assert set(tenancy.scoped(Service).values_list("pk", flat=True)) == {A_NUMBER, B_NUMBER}
    # An event without a site is for the whole municipality.
    Event.objects.filter(pk=A_NUMBER).update(site=None)
    assert A_NUMBER in set(tenancy.scoped(Event).values_list("pk", flat=True))


def test_the_statistics_count_only_the_members_sites(worlds, municipality_x, client_for):
    manager = make_user("manager-stats", municipality_x, Role.MANAGER)
    analyst = make_user("analyst-stats", municipality_x, Role.ANALYST)
    _bound(manager, municipality_x, A_NUMBER)
    path = f"/api/v1/m/{municipality_x.slug}/inquiry-statistics/"
    # Each world has one inquiry: the analyst counts both, the manager of site A one.
    assert client_for(analyst).get(path).json()["total"] == 2
    assert client_for(manager).get(path).json()["total"] == 1


def test_a_site_bound_desk_worker_cannot_log_at_another_site(
    worlds, municipality_x, desk_worker_a, client_for
):
    client = client_for(desk_worker_a)
    path = f"/api/v1/m/{municipality_x.slug}/inquiries/"
    payload = {
        "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "channel": "in_person",
        "service": A_NUMBER,
        "read_effort": 1,
        "outcome": "resolved",
    }
    before = Inquiry.objects.count()
    refused = client.post(
        path,
        {**payload, "site": B_NUMBER},
        content_type="application/json",
        headers={"Idempotency-Key": "site-b-1"},
    )
    assert refused.status_code == 400, refused.content
    assert Inquiry.objects.count() == before
    accepted = client.post(
        path,
        {**payload, "site": A_NUMBER},
        content_type="application/json",
        headers={"Idempotency-Key": "site-a-1"},
    )
    assert accepted.status_code == 201, accepted.content
    gone = client.delete(f"{path}{B_NUMBER}/", headers={"Idempotency-Key": "site-b-2"})
    assert gone.status_code == 404, gone.content
    assert Inquiry.objects.filter(pk=B_NUMBER).exists()


def test_add_member_binds_and_unbinds_sites(worlds, municipality_x):
    from django.core.management import call_command

    call_command(
        "add_member",
        "kari",
        municipality=municipality_x.slug,
        role="desk_staff",
        create=True,
        sites=["WORLD-KOMMUNE-X"],
    )
    membership = Membership.objects.get(user__username="kari")
    assert list(membership.sites.values_list("pk", flat=True)) == [A_NUMBER]
    call_command(
        "add_member",
        "kari",
        municipality=municipality_x.slug,
        role="desk_staff",
        all_sites=True,
    )
    assert not membership.sites.exists()


def test_add_member_refuses_an_unknown_site_and_sites_for_an_analyst(worlds, municipality_x):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    translation.activate("en")  # the messages below are matched in English
    with pytest.raises(CommandError, match="no site") as unknown:
        call_command(
            "add_member",
            "per",
            municipality=municipality_x.slug,
            role="desk_staff",
            create=True,
            sites=["Nowhere"],
        )
    assert unknown.value.returncode == 2
    with pytest.raises(CommandError, match="analysts"):
        call_command(
            "add_member",
            "per",
            municipality=municipality_x.slug,
            role="analyst",
            create=True,
            sites=["world-kommune-x"],
        )


def test_the_admin_refuses_sites_of_another_municipality(
    worlds, municipality_x, municipality_y, site_b
):
    from torg.organisation.admin import MembershipForm

    user = make_user("admin-form", municipality_x, Role.DESK_STAFF)
    membership = Membership.objects.get(user_id=user.pk)
    data = {"user": user.pk, "municipality": municipality_x.pk, "role": "desk_staff"}
    foreign = MembershipForm({**data, "sites": [site_b.pk]}, instance=membership)
    assert not foreign.is_valid()
    assert "Torget B" in str(foreign.errors["sites"])
    own = MembershipForm({**data, "sites": [A_NUMBER]}, instance=membership)
    assert own.is_valid(), own.errors
    analyst = MembershipForm({**data, "role": "analyst", "sites": [A_NUMBER]}, instance=membership)
    assert not analyst.is_valid()


def test_making_a_member_an_analyst_clears_the_sites(worlds, municipality_x):
    from django.core.management import call_command

    slug = municipality_x.slug
    call_command(
        "add_member",
        "ola",
        municipality=slug,
        role="manager",
        create=True,
        sites=["world-kommune-x"],
    )
    membership = Membership.objects.get(user__username="ola")
    assert membership.sites.exists()
    call_command("add_member", "ola", municipality=slug, role="analyst")
    assert not membership.sites.exists()
    call_command("add_member", "ola", municipality=slug, role="desk_staff")
    assert not membership.sites.exists()  # the old binding does not come back unnoticed


def test_an_empty_site_name_is_refused(worlds, municipality_x):
    from django.core.management import CommandError, call_command
    from django.utils import translation

    translation.activate("en")
    with pytest.raises(CommandError, match="cannot be empty"):
        call_command(
            "add_member",
            "siri",
            municipality=municipality_x.slug,
            role="desk_staff",
            create=True,
            sites=[" "],
        )


def test_the_menu_leaves_out_pages_that_need_every_site(
    worlds, municipality_x, manager_a, client_for
):
    """Rosters and evaluation answer 403 to a member bound to some sites, so their menu
    does not offer them; a manager who sees every site gets both."""
    dashboard = f"/m/{municipality_x.slug}/"
    bound = client_for(manager_a).get(dashboard)
    assert bound.status_code == 200
    hrefs = {item["url"] for item in bound.context["tenant_nav"]}
    assert f"/m/{municipality_x.slug}/rosters/" not in hrefs
    assert not any("/evaluation/" in href for href in hrefs)
    assert any("/inquiries/" in href for href in hrefs)
    whole = client_for(make_user("manager-all", municipality_x, Role.MANAGER)).get(dashboard)
    hrefs = {item["url"] for item in whole.context["tenant_nav"]}
    assert any("/rosters/" in href for href in hrefs)
    assert any("/evaluation/" in href for href in hrefs)
