"""A user of one municipality can neither see nor change anything of another, through any
page, CSV export or API endpoint.

The URLs are not listed by hand: every pattern of the project is found by walking
``get_resolver()`` (:mod:`torg.tests.routes`), so pages and endpoints that other apps add
later are covered as soon as they exist. Each municipality gets one row of every tenant
model, all with the same primary key (:mod:`torg.tests.world`): municipality X's rows have
id 70001, Y's have 80001, so any ``<int:pk>`` in any URL names a real object of the
municipality whose number is used.

Only URLs that are public or per-user by design may live outside ``/m/<municipality>/``;
they are on the commented allow-list below, and a URL that is neither tenant-scoped nor
allow-listed fails :func:`test_every_url_is_under_a_municipality_or_on_the_allow_list`.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest
from django.test import Client

from torg.organisation.models import Municipality
from torg.tests.routes import NON_ID_INTEGERS, Route, all_routes
from torg.tests.world import (
    World,
    build_world,
    make_stray_copy,
    stray_marker,
    tenant_models,
    world_uuid,
)

X_NUMBER = 70001
Y_NUMBER = 80001
STRAY_NUMBER = 90001

#: URLs outside ``/m/<municipality>/`` on purpose. Each entry says why it cannot leak a
#: municipality's data. Names are qualified URL names; ``*`` matches anything.
ALLOW_LIST = {
    # Public by design.
    "login": "the login form",
    "logout": "ends the caller's own session",
    "set_language": "stores the caller's language choice",
    "api-schema": "the OpenAPI description of the API; holds no data",
    "api-docs": "Swagger UI for the schema, from Torg's own static files",
    "national:*": "comparison of the public national library statistics",
    "api:annual-statistics-*": "the public national library statistics",
    "surveys_public:*": "the survey response form: shows a wave's questions, stores answers",
    # Per user: only ever about the caller's own memberships.
    "web:home": "lists the caller's own municipalities",
    "web:switch": "switches among the caller's own municipalities",
}
#: The admin is for superusers only; ``test_admin.py`` covers every admin URL.
ADMIN_NAMESPACE = "admin"

UNSAFE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
ALL_METHODS = ["GET", *UNSAFE_METHODS]


def _allow_listed(route: Route) -> bool:
    return route.name is not None and any(
        fnmatch.fnmatchcase(route.name, pattern) for pattern in ALLOW_LIST
    )


def _in_admin(route: Route) -> bool:
    return route.namespace == ADMIN_NAMESPACE or route.route.startswith("admin/")


ROUTES = all_routes()
TENANT_ROUTES = [route for route in ROUTES if route.is_tenant]
TENANT_ROUTES_WITH_OBJECTS = [route for route in TENANT_ROUTES if route.object_params()]
API_TENANT_ROUTES = [route for route in TENANT_ROUTES if route.namespace == "api"]
PAGE_TENANT_ROUTES = [route for route in TENANT_ROUTES if route.namespace != "api"]
ALLOW_LISTED_ROUTES = [
    route for route in ROUTES if _allow_listed(route) and not route.object_params()
]


def _label(route: Route) -> str:
    return route.label


def values_for(route: Route, world: World, *, municipality: Municipality | None = None) -> dict:
    """URL parameters naming ``world``'s objects, in ``municipality`` (default: the
    world's own)."""
    values: dict[str, Any] = {}
    for name, converter in route.params.items():
        if name == "municipality":
            values[name] = (municipality or world.municipality).slug
        elif name in NON_ID_INTEGERS:
            values[name] = NON_ID_INTEGERS[name]
        elif converter in {"int", "regex"}:
            values[name] = world.number
        elif converter == "uuid":
            values[name] = world_uuid(world.number)
        else:  # slug, str, path: the code and name of every world row
            values[name] = world.code
    return values


def request(client: Client, method: str, path: str) -> Any:
    """One request with a JSON body and an idempotency key, so that a write that slipped
    through the tenancy check would not be stopped by a missing header instead."""
    return client.generic(
        method,
        path,
        data=json.dumps({"name": "intruder", "code": "intruder"}),
        content_type="application/json",
        headers={"Idempotency-Key": f"tenancy-test-{method}-{path}"},
    )


def snapshot(municipality: Municipality) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``municipality`` in every tenant model, with every field value."""
    rows: dict[str, list[dict[str, Any]]] = {
        "organisation.Municipality": [
            dict(row) for row in Municipality.objects.filter(pk=municipality.pk).values()
        ]
    }
    for model in tenant_models():
        # By hand on purpose: the test must not trust the helper it is testing.
        rows[model._meta.label] = list(
            model._default_manager.filter(municipality=municipality).order_by("pk").values()
        )
    return rows


@pytest.fixture
def world_x(municipality_x: Municipality) -> World:
    return build_world(municipality_x, X_NUMBER)


@pytest.fixture
def world_y(municipality_y: Municipality) -> World:
    return build_world(municipality_y, Y_NUMBER)


def test_the_walk_finds_the_tenant_pages_and_api_endpoints():
    names = {route.name for route in ROUTES}
    # A few URLs that exist today; if the walk lost them, every other test here would
    # pass vacuously.
    assert {"api:site-detail", "api:service-list", "api:municipality"} <= names
    assert len(TENANT_ROUTES) >= 10
    assert TENANT_ROUTES_WITH_OBJECTS


def test_every_url_is_under_a_municipality_or_on_the_allow_list():
    unclassified = [
        route.label
        for route in ROUTES
        if not route.is_tenant and not _allow_listed(route) and not _in_admin(route)
    ]
    assert unclassified == [], (
        "These URLs take no <slug:municipality>. Put them under /m/<slug:municipality>/ "
        "(tenant data) or, if they are public or per-user by design, add them with a reason "
        f"to ALLOW_LIST in src/torg/tests/test_tenancy.py: {unclassified}"
    )


def test_every_tenant_model_gets_a_row_in_each_world(world_x, world_y):
    for model in tenant_models():
        assert model in world_x.objects and model in world_y.objects, model


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=_label)
def test_an_outsider_gets_404_or_403_for_every_url_of_another_municipality(
    route, world_x, world_y, outsider_y, client_for
):
    client = client_for(outsider_y)
    path = route.path(values_for(route, world_x))
    before = snapshot(world_x.municipality)
    for method in ALL_METHODS:
        response = request(client, method, path)
        # 405 says only that the URL does not take the method; it shows no data.
        assert response.status_code in {403, 404, 405}, (method, path, response.status_code)
    assert snapshot(world_x.municipality) == before, f"{path} changed municipality X's data"


@pytest.mark.parametrize("route", TENANT_ROUTES_WITH_OBJECTS, ids=_label)
def test_a_member_gets_404_for_another_municipalitys_object_ids_in_her_own_urls(
    route, world_x, world_y, administrator_x, client_for
):
    client = client_for(administrator_x)  # may do everything in X: no 403 can hide a leak
    path = route.path(values_for(route, world_y, municipality=world_x.municipality))
    before = snapshot(world_y.municipality)
    for method in ALL_METHODS:
        response = request(client, method, path)
        allowed = {404} if method == "GET" else {404, 405}
        assert response.status_code in allowed, (method, path, response.status_code)
    assert snapshot(world_y.municipality) == before, f"{path} changed municipality Y's data"


@pytest.mark.parametrize("route", TENANT_ROUTES_WITH_OBJECTS, ids=_label)
def test_the_object_ids_used_above_name_real_objects_of_the_municipality(
    route, world_x, administrator_x, client_for
):
    # The control for the two tests above: with its own ids, X's administrator is not told
    # "not found", so the 404s above come from the tenancy check, not from missing rows.
    response = client_for(administrator_x).get(route.path(values_for(route, world_x)))
    assert response.status_code not in {404} and response.status_code < 500, (
        route.label,
        response.status_code,
    )


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=_label)
def test_an_anonymous_visitor_gets_no_data_from_any_tenant_url(route, world_x, client):
    path = route.path(values_for(route, world_x))
    for method in ALL_METHODS:
        response = request(client, method, path)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (method, path)
        else:
            assert response.status_code in {401, 403, 404, 405}, (method, path)


@pytest.mark.parametrize("route", ALLOW_LISTED_ROUTES, ids=_label)
def test_the_allow_listed_urls_show_an_outsider_nothing_of_another_municipality(
    route, world_x, world_y, outsider_y, client_for
):
    client = client_for(outsider_y)
    # Also with X named in the query string, as a form such as the switcher would send it.
    for query in ({}, {"municipality": world_x.municipality.slug}):
        response = client.get(route.path({}), query, follow=True)
        assert response.status_code in {200, 400, 403, 404, 405}, (query, response.status_code)
        body = response.content.decode("utf-8", errors="replace")
        assert world_x.code not in body, query
        assert world_x.municipality.name not in body, query


def _numbers_and_texts(document: Any) -> tuple[set[int], list[str]]:
    numbers: set[int] = set()
    texts: list[str] = []
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            numbers.add(item)
        elif isinstance(item, str):
            texts.append(item)
    return numbers, texts


@pytest.mark.parametrize("model", tenant_models(), ids=lambda model: model._meta.label)
def test_the_api_shows_each_tenant_model_only_through_scoped_querysets(
    model, world_x, world_y, administrator_x, client_for
):
    # A row of Y whose foreign keys point into X (a desk of Y on a site of X): reachable
    # from X's objects by following relations, so only a scoped queryset keeps it out.
    make_stray_copy(model, world_x, world_y.municipality, STRAY_NUMBER)
    client = client_for(administrator_x)
    seen_own_rows = False
    for route in API_TENANT_ROUTES:
        path = route.path(values_for(route, world_x))
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        numbers, texts = _numbers_and_texts(response.json())
        leaked = numbers & {Y_NUMBER, STRAY_NUMBER}
        assert not leaked, f"{path} shows ids {leaked} of municipality Y"
        foreign = [t for t in texts if world_y.code in t or stray_marker(STRAY_NUMBER) in t]
        assert not foreign, f"{path} shows {foreign} of municipality Y"
        seen_own_rows |= X_NUMBER in numbers
    assert seen_own_rows


@pytest.mark.parametrize("model", tenant_models(), ids=lambda model: model._meta.label)
def test_the_pages_and_exports_show_each_tenant_model_only_through_scoped_querysets(
    model, world_x, world_y, administrator_x, client_for
):
    make_stray_copy(model, world_x, world_y.municipality, STRAY_NUMBER)
    client = client_for(administrator_x)
    for route in PAGE_TENANT_ROUTES:
        path = route.path(values_for(route, world_x))
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        content = getattr(response, "streaming_content", None)
        raw = b"".join(content) if content is not None else response.content
        body = raw.decode("utf-8", errors="replace")
        for foreign in (world_y.code, stray_marker(STRAY_NUMBER), str(STRAY_NUMBER)):
            assert foreign not in body, f"{path} shows {foreign!r} of municipality Y"
