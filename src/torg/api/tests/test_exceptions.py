"""DRF's English-only answers made Torg's: ``?format=csv`` is a 400 naming the CSV exports
(not a 404), a body that is not JSON and a text with a lone surrogate get translated
messages."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.exceptions import ValidationError
from rest_framework.fields import CharField

from torg.api.exceptions import SURROGATE_CODE, exception_handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(municipality_x, analyst_x):
    client = Client(raise_request_exception=False)
    client.force_login(analyst_x)
    return client


@pytest.fixture
def desk_api(municipality_x, desk_worker_x):
    client = Client(raise_request_exception=False)
    client.force_login(desk_worker_x)
    return client


@pytest.mark.parametrize("fmt", ["csv", "xml", "html"])
def test_an_unknown_format_is_a_400_in_json_pointing_at_the_csv_exports(
    api, municipality_x, fmt
) -> None:
    response = api.get(
        f"/api/v1/m/{municipality_x.slug}/visit-counts/?format={fmt}", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "export.csv" in response.json()["detail"]


def test_format_json_still_works(api, municipality_x) -> None:
    response = api.get(f"/api/v1/m/{municipality_x.slug}/visit-counts/?format=json")
    assert response.status_code == 200


def test_a_body_that_is_not_json_gets_torgs_message_without_python_s_words(
    desk_api, municipality_x
) -> None:
    response = desk_api.post(
        f"/api/v1/m/{municipality_x.slug}/inquiries/",
        data="{not json",
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


def test_a_lone_surrogate_is_reworded_and_keeps_its_code() -> None:
    field = CharField()
    with pytest.raises(ValidationError) as caught:
        field.run_validation("a\ud800b")
    error = ValidationError({"note": caught.value.detail})
    with translation.override("en"):
        response = exception_handler(error, {})
    assert response is not None
    (detail,) = response.data["note"]
    assert detail.code == SURROGATE_CODE
    assert str(detail) == (
        "The text contains U+D800, half of a surrogate pair, which is no character on its "
        "own; send the text as valid UTF-8."
    )
    assert "Surrogate characters are not allowed" not in str(response.data)
