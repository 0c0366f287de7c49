"""Which HTTP methods each page accepts, for every page URL found by walking the URL map
(:mod:`torg.tests.routes`, the list the tenancy tests use): a page that only shows data
answers GET and HEAD and refuses anything else with 405, and a form page answers GET and
POST only. A page added later must be put in one of the two lists below, so that no page
silently answers a DELETE with 200 (issue 2's trial found the list pages did)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from torg.organisation.models import Municipality
from torg.tests.routes import Route, all_routes
from torg.tests.test_tenancy import values_for
from torg.tests.world import World, build_world

pytestmark = pytest.mark.django_db

#: Pages that show data and change nothing: GET and HEAD only.
READ_ONLY = {
    "web:home",
    "web:switch",
    "dashboard:index",
    "organisation:sites",
    "organisation:site",
    "catalogue:list",
    "inquiries:list",
    "inquiries:export",
    "inquiries:statistics",
    "inquiries:statistics-csv",
    "inquiries:statistics-xlsx",
    "referrals:queue",
    "visits:list",
    "visits:export",
    "visits:events",
    "visits:events_export",
    "visits:site",
    "visits:site_export",
    "visits:national_form",
    "visits:national_form_csv",
    "visits:national_form_xlsx",
    "imports:list",
    "national:comparison",
    "surveys:list",
    "surveys:results",
    "surveys:results_xlsx",
    "surveys:responses_csv",
    "surveys_public:thanks",
    "rosters:detail",
    "rosters:csv",
    "rosters:xlsx",
    "rosters:ical",
    "evaluation:index",
    "evaluation:models",
    "evaluation:guide",
    "evaluation:report",
}
#: Pages with a form: GET shows it, POST sends it (the step URLs are POST only).
FORMS = {
    "organisation:site_model_period_add",
    "organisation:site_model_period_edit",
    "organisation:site_model_period_delete",
    "organisation:site_add",
    "organisation:site_edit",
    "organisation:service_point_add",
    "organisation:service_point_edit",
    "organisation:opening_hours_add",
    "organisation:opening_hours_delete",
    "catalogue:create",
    "catalogue:edit",
    "catalogue:remove",
    "catalogue:load_default",
    "inquiries:desk",
    "inquiries:correct",
    "inquiries:delete",
    "referrals:create",
    "referrals:accept",
    "referrals:complete",
    "referrals:decline",
    "referrals:triage",
    "referrals:assign",
    "referrals:answer",
    "referrals:close",
    "referrals:teams",
    "referrals:team-edit",
    "surveys:create",
    "surveys:wave_open",
    "surveys:wave_settings",
    "surveys:item_edit",
    "surveys_public:answer",
    "surveys_public:answer_token",
    "visits:count_new",
    "visits:count_edit",
    "visits:count_delete",
    "visits:attribution",
    "visits:event_new",
    "visits:event_edit",
    "visits:event_delete",
    "visits:event_names",
    "visits:sweep_new",
    "rosters:list",
    "rosters:setup",
    "rosters:job-stop",
    "rosters:edit",
    "rosters:publish",
    "evaluation:excluded",
    "evaluation:checklist",
}
#: Pages a manager may not open, and the persona (fixture name) who may.
PERSONAS = {"surveys:responses_csv": "analyst_x"}
#: Django's own views (log in and out, the language switch), whose methods Django decides.
DJANGO_OWN = {"login", "logout", "set_language"}

PAGE_ROUTES = [
    route
    for route in all_routes()
    if route.namespace not in {"api", "admin"}
    and not route.route.startswith(("api/", "admin/", "static/"))
]


def _by_name(names: set[str]) -> list[Route]:
    return [route for route in PAGE_ROUTES if route.name in names]


@pytest.fixture
def world_x(municipality_x: Municipality) -> World:
    return build_world(municipality_x, 70001)


def _client(manager_x: object, client_for: Callable[[object], Client]) -> Client:
    return client_for(manager_x)


def test_every_page_is_listed_as_read_only_or_as_a_form():
    names = {route.name for route in PAGE_ROUTES}
    unlisted = names - READ_ONLY - FORMS - DJANGO_OWN
    assert not unlisted, f"put these pages in READ_ONLY or FORMS: {sorted(map(str, unlisted))}"
    assert names >= READ_ONLY | FORMS | DJANGO_OWN


@pytest.mark.parametrize("route", _by_name(READ_ONLY), ids=lambda route: route.label)
def test_a_read_only_page_refuses_post_put_patch_and_delete_with_405(
    route, world_x, manager_x, client_for, request
):
    persona = request.getfixturevalue(PERSONAS[route.name]) if route.name in PERSONAS else manager_x
    client = _client(persona, client_for)
    path = route.path(values_for(route, world_x))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = client.generic(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}
    assert client.get(path).status_code in {200, 302}
    assert client.head(path).status_code in {200, 302}


@pytest.mark.parametrize("route", _by_name(FORMS), ids=lambda route: route.label)
def test_a_form_page_refuses_put_patch_and_delete_with_405(route, world_x, manager_x, client_for):
    client = _client(manager_x, client_for)
    path = route.path(values_for(route, world_x))
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.generic(method, path)
        assert response.status_code == 405, (method, path, response.status_code)
