"""The OpenAPI schema is valid, documents every API endpoint and method, and its browsable
documentation is served entirely from Torg's own static files."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from torg.tests.routes import Route, all_routes

pytestmark = pytest.mark.django_db

API_ROUTES = [route for route in all_routes() if route.namespace == "api"]
DOCUMENTED_METHODS = {"get", "post", "put", "patch", "delete"}


def openapi_path(route: Route) -> str:
    """``api/v1/m/<slug:municipality>/sites/<int:pk>/`` → ``/api/v1/m/{municipality}/sites/{id}/``
    (drf-spectacular writes a ``pk`` parameter as ``id``)."""
    path = re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", route.route)
    return "/" + path.replace("{pk}", "{id}")


def methods_of(route: Route) -> set[str]:
    actions = getattr(route.callback, "actions", None)
    if actions is not None:  # a viewset: the router mapped these methods to actions
        return {method.lower() for method in actions} & DOCUMENTED_METHODS
    view_class = route.callback.cls
    return {m for m in DOCUMENTED_METHODS if hasattr(view_class, m)}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema
    assert schema["openapi"].startswith("3.")


def test_the_schema_generates_without_warnings_or_errors(tmp_path):
    # drf-spectacular warns when it has to guess (an undocumented parameter type, a
    # serializer it cannot resolve); --fail-on-warn turns any such guess into a failure.
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )
    assert target.read_text("utf-8").startswith("openapi:")


def test_every_api_endpoint_and_method_is_in_the_schema_with_a_description(schema):
    assert len(API_ROUTES) >= 10
    missing = []
    for route in API_ROUTES:
        operations = schema["paths"].get(openapi_path(route), {})
        methods = methods_of(route)
        assert methods, route.label
        for method in methods:
            operation = operations.get(method)
            if operation is None or not (operation.get("description") or operation.get("summary")):
                missing.append(f"{method.upper()} {openapi_path(route)}")
    assert missing == []


def test_writes_document_the_idempotency_key_header(schema):
    for path, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in operations:
                headers = {
                    p["name"]
                    for p in operations[method].get("parameters", [])
                    if p["in"] == "header"
                }
                assert "Idempotency-Key" in headers, f"{method.upper()} {path}"


def test_the_api_documentation_loads_every_asset_from_torgs_own_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode("utf-8")
    assert '<html lang="en">' in page  # WCAG 3.1.1: the page says its language
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert any(asset.endswith(".js") for asset in assets)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    # Nothing else the browser could be told to fetch from elsewhere.
    assert not re.search(r"""["'(]\s*(?:https?:)?//""", page)
