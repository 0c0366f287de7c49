"""Service codes: made from the bokmål name with the Norwegian letters spelled out, and only
lower-case letters a–z, digits and single hyphens, the same rule in the form, the API, the
model and the default catalogue."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from torg.catalogue.codes import CODE_PATTERN, code_from_name, is_code
from torg.catalogue.defaults import _SLUG
from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.catalogue.services import service_create, service_update


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bøker til særlige behov", "boker-til-saerlige-behov"),
        ("ÆRLIG ØL PÅ ÅS", "aerlig-ol-pa-as"),
        ("Café – crème brûlée", "cafe-creme-brulee"),
        ("Straße", "strasse"),
        ("  TT-kort (tilrettelagt transport)  ", "tt-kort-tilrettelagt-transport"),
        ("Skjema 2024 / 2025", "skjema-2024-2025"),
        ("¿¡!?", ""),
    ],
)
def test_a_code_is_made_from_the_name_with_the_norwegian_letters_spelled_out(name, code):
    assert code_from_name(name) == code
    assert code == "" or is_code(code)


def test_a_long_name_is_cut_at_a_hyphen():
    code = code_from_name("Søknad om " + "særskilt " * 20 + "tilskudd")
    assert len(code) <= 80 and is_code(code) and code.endswith("saerskilt")


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("passport-renewal", True),
        ("a1-b2", True),
        ("ABC_def", False),
        ("abc_def", False),
        ("Abc", False),
        ("bøker", False),
        ("-abc", False),
        ("abc-", False),
        ("a--b", False),
        ("abc\n", False),
    ],
)
def test_the_code_rule_is_lower_case_letters_digits_and_single_hyphens(code, valid):
    assert is_code(code) is valid


def test_the_default_catalogue_checks_its_codes_by_the_same_rule():
    assert _SLUG.pattern == CODE_PATTERN


@pytest.fixture
def lending(municipality_x) -> ServiceCategory:
    return ServiceCategory.objects.create(
        municipality=municipality_x, code="lending", name_nb="Lån", name_en="Lending"
    )


def _form(category: ServiceCategory, **changes: object) -> dict[str, object]:
    return {
        "name_nb": "Bøker til særlige behov",
        "name_en": "Books for special needs",
        "code": "",
        "category": category.pk,
        "domain": "library",
        "level": "generalist",
        "is_active": "on",
        **changes,
    }


def _create_url(municipality) -> str:
    return reverse("catalogue:create", args=[municipality.slug])


def test_the_form_makes_the_code_from_the_bokmal_name(
    municipality_x, manager_x, lending, client_for
):
    response = client_for(manager_x).post(_create_url(municipality_x), _form(lending))
    assert response.status_code == 302
    assert Service.objects.get(municipality=municipality_x).code == "boker-til-saerlige-behov"


def test_a_made_code_that_is_taken_is_named_in_the_error(
    municipality_x, manager_x, lending, client_for
):
    client = client_for(manager_x)
    assert client.post(_create_url(municipality_x), _form(lending)).status_code == 302
    again = client.post(
        _create_url(municipality_x), _form(lending, name_en="Other"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 400
    assert again.context["form"].errors["code"] == [
        "The code “boker-til-saerlige-behov”, made from the bokmål name, is already used by "
        "another service. Give the service a code of its own, or another name."
    ]


def test_the_form_refuses_a_code_with_capitals_or_underscores_without_talking_of_slugs(
    municipality_x, manager_x, lending, client_for
):
    response = client_for(manager_x).post(
        _create_url(municipality_x), _form(lending, code="ABC_def"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    [message] = response.context["form"].errors["code"]
    assert message == (
        "Use only lower-case letters a–z, digits and single hyphens between them, "
        "such as “passport-renewal”."
    )
    assert "slug" not in response.content.decode().lower()
    norwegian = client_for(manager_x).post(
        _create_url(municipality_x), _form(lending, code="ABC_def"), HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert "Bruk bare små bokstaver a–z" in norwegian.content.decode()
    assert not Service.objects.exists()


def test_the_model_refuses_a_bad_code_but_an_old_one_does_not_block_other_changes(
    municipality_x, lending
):
    with pytest.raises(ValidationError) as caught:
        service_create(
            municipality=municipality_x,
            category=lending,
            code="ABC_def",
            name_nb="X",
            name_en="X",
            domain=Domain.LIBRARY,
            level=Level.GENERALIST,
        )
    assert "code" in caught.value.message_dict
    legacy = Service.objects.create(  # written before the rule, straight to the table
        municipality=municipality_x,
        category=lending,
        code="Old_Code",
        name_nb="Gammel",
        name_en="Old",
        domain=Domain.LIBRARY,
        level=Level.GENERALIST,
    )
    service_update(service=legacy, name_en="Older")
    legacy.refresh_from_db()
    assert legacy.name_en == "Older"


def _post(client, path: str, body: dict[str, object]):
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def _api_body(category: ServiceCategory, **changes: object) -> dict[str, object]:
    return {
        "category": category.pk,
        "name_nb": "Bøker til særlige behov",
        "name_en": "Books for special needs",
        "domain": "library",
        "level": "generalist",
        **changes,
    }


def test_the_api_makes_a_missing_or_empty_code_like_the_form(
    municipality_x, manager_x, lending, client_for
):
    client = client_for(manager_x)
    path = f"/api/v1/m/{municipality_x.slug}/services/"
    created = _post(client, path, _api_body(lending))
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "boker-til-saerlige-behov"
    empty = _post(client, path, _api_body(lending, code="", name_nb="Årskort på Ørsta"))
    assert empty.status_code == 201, empty.content
    assert empty.json()["code"] == "arskort-pa-orsta"
    taken = _post(client, path, _api_body(lending, name_en="Again"))
    assert taken.status_code == 400
    assert "boker-til-saerlige-behov" in taken.json()["code"][0]


def test_the_api_refuses_a_code_the_form_refuses(municipality_x, manager_x, lending, client_for):
    path = f"/api/v1/m/{municipality_x.slug}/services/"
    response = _post(client_for(manager_x), path, _api_body(lending, code="ABC_def"))
    assert response.status_code == 400
    assert response.json()["code"] == [
        "Use only lower-case letters a–z, digits and single hyphens between them, "
        "such as “passport-renewal”."
    ]
    category = _post(
        client_for(manager_x),
        f"/api/v1/m/{municipality_x.slug}/service-categories/",
        {"code": "Bad Code", "name_nb": "B", "name_en": "B"},
    )
    assert category.status_code == 400 and "code" in category.json()
    assert not Service.objects.exists()
