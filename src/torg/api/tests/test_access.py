"""Who may call which endpoint: members by role, outsiders, anonymous callers, tokens."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from torg.organisation.models import Membership, Role
from torg.testing.factories import make_service_point, make_user

pytestmark = pytest.mark.django_db


def api(municipality, rest: str = "") -> str:
    return f"/api/v1/m/{municipality.slug}/{rest}"


def test_a_member_reads_her_municipality_with_her_role_and_what_it_allows(
    municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(api(municipality_x))
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "kommune-x"
    assert body["name"] == "Kommune X"
    assert body["role"] == "desk_staff"
    assert body["permissions"] == ["record_inquiries", "view"]


def test_an_outsider_is_told_the_municipality_does_not_exist(
    municipality_x, outsider_y, client_for
):
    client = client_for(outsider_y)
    assert client.get(api(municipality_x)).status_code == 404
    # Exactly what a municipality that does not exist gives: nothing to tell them apart.
    assert client.get("/api/v1/m/no-such-place/").status_code == 404


def test_an_anonymous_caller_is_refused_before_anything_is_looked_up(municipality_x, client):
    response = client.get(api(municipality_x, "sites/"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "path",
    [
        "m/kommune-x/",
        "m/kommune-x/sites/",
        "m/kommune-x/visit-counts/",
        "national/annual-statistics/",
    ],
)
@pytest.mark.parametrize("authorization", [None, "Token not-a-real-token", "Bearer abc"])
def test_a_missing_or_bad_token_is_401_with_the_scheme_to_use(municipality_x, path, authorization):
    client = APIClient()
    if authorization:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_refusals_speak_the_callers_language_and_name_no_model(
    municipality_x, site_a, outsider_y, desk_worker_x, analyst_x, client_for
):
    outsider = client_for(outsider_y)
    english = outsider.get(api(municipality_x), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"detail": "No such municipality."}
    norwegian = outsider.get(api(municipality_x), HTTP_ACCEPT_LANGUAGE="nb").json()
    assert norwegian == {"detail": "Fant ingen slik kommune."}

    missing = client_for(analyst_x).get(
        api(municipality_x, "visit-counts/999999/"), HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Fant ingenting med denne id-en i denne kommunen."}
    for rest in ("sites/999999/", "services/999999/", "events/999999/"):
        detail = client_for(analyst_x).get(api(municipality_x, rest)).json()["detail"]
        assert "matches the given query" not in detail, rest
    statistics = client_for(analyst_x).get(
        "/api/v1/national/annual-statistics/999999/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert statistics.json() == {"detail": "No statistics with this id."}

    forbidden = client_for(desk_worker_x).get(
        api(municipality_x, "inquiries/"), HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert forbidden.status_code == 403
    assert forbidden.json() == {"detail": "Rollen din i denne kommunen gir ikke lov til dette."}


def test_a_desk_worker_reads_sites_and_catalogue_but_not_the_operational_records(
    municipality_x, site_a, desk_worker_x, client_for
):
    client = client_for(desk_worker_x)
    for rest in ("sites/", "services/", "service-categories/"):
        assert client.get(api(municipality_x, rest)).status_code == 200, rest
    # The records are bulk data, like the CSV exports: they need the export permission.
    for rest in ("inquiries/", "visit-counts/", "events/"):
        assert client.get(api(municipality_x, rest)).status_code == 403, rest


def test_an_analyst_reads_the_operational_records(municipality_x, site_a, analyst_x, client_for):
    client = client_for(analyst_x)
    for rest in ("inquiries/", "visit-counts/", "events/"):
        assert client.get(api(municipality_x, rest)).status_code == 200, rest


def test_a_token_authenticates_a_script_as_its_user(municipality_x, site_a, analyst_x):
    token = Token.objects.create(user=analyst_x)
    client = APIClient()
    assert client.get(api(municipality_x, "sites/")).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get(api(municipality_x, "sites/"))
    assert response.status_code == 200
    assert [site["name"] for site in response.json()["results"]] == ["Torget A"]


def test_a_member_of_two_municipalities_has_the_role_of_each(
    municipality_x, municipality_y, site_a, site_b, client_for
):
    both = make_user("both", municipality_x, Role.ANALYST)
    Membership.objects.create(user_id=both.pk, municipality=municipality_y, role=Role.DESK_STAFF)
    make_service_point(site_b, "Skranke B")
    client = client_for(both)
    assert client.get(api(municipality_x, "inquiries/")).status_code == 200
    assert client.get(api(municipality_y, "inquiries/")).status_code == 403
    sites_y = client.get(api(municipality_y, "sites/")).json()["results"]
    assert [site["name"] for site in sites_y] == ["Torget B"]
