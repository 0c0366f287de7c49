"""Reading and writing the service catalogue through the API."""

from __future__ import annotations

import json
import uuid

import pytest

from torg.catalogue.models import Domain, Level, Service, ServiceCategory

pytestmark = pytest.mark.django_db


def make_category(municipality, code: str = "lan") -> ServiceCategory:
    return ServiceCategory.objects.create(
        municipality=municipality, code=code, name_nb="Lån", name_en="Lending"
    )


def make_service(category: ServiceCategory, code: str = "laane-bok") -> Service:
    return Service.objects.create(
        municipality=category.municipality,
        category=category,
        code=code,
        name_nb="Låne bok",
        name_en="Borrow a book",
        domain=Domain.LIBRARY,
        level=Level.GENERALIST,
    )


def send(client, method: str, path: str, body: dict, key: str | None = None):
    return client.generic(
        method,
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )


def new_service(category: ServiceCategory, **changes) -> dict:
    return {
        "category": category.pk,
        "code": "parkeringstillatelse",
        "name_nb": "Parkeringstillatelse",
        "name_en": "Parking permit",
        "domain": "municipal",
        "level": "specialist",
        "synonyms": "parkering, beboerparkering",
        **changes,
    }


def test_a_manager_creates_a_service_in_her_municipality(municipality_x, manager_x, client_for):
    category = make_category(municipality_x)
    response = send(
        client_for(manager_x),
        "POST",
        f"/api/v1/m/{municipality_x.slug}/services/",
        new_service(category),
    )
    assert response.status_code == 201, response.content
    service = Service.objects.get(code="parkeringstillatelse")
    assert service.municipality == municipality_x
    assert service.category == category
    assert response.json()["id"] == service.pk
    assert response.json()["level"] == "specialist"


def test_a_category_of_another_municipality_is_refused_and_nothing_is_created(
    municipality_x, municipality_y, manager_x, client_for
):
    foreign = make_category(municipality_y)
    response = send(
        client_for(manager_x),
        "POST",
        f"/api/v1/m/{municipality_x.slug}/services/",
        new_service(foreign),
    )
    assert response.status_code == 400
    assert "category" in response.json()
    assert not Service.objects.exists()


def test_moving_a_service_to_a_category_of_another_municipality_is_refused(
    municipality_x, municipality_y, manager_x, client_for
):
    service = make_service(make_category(municipality_x))
    foreign = make_category(municipality_y, "fremmed")
    response = send(
        client_for(manager_x),
        "PATCH",
        f"/api/v1/m/{municipality_x.slug}/services/{service.pk}/",
        {"category": foreign.pk},
    )
    assert response.status_code == 400
    service.refresh_from_db()
    assert service.category.municipality == municipality_x


def test_a_manager_updates_a_service_but_not_its_code(municipality_x, manager_x, client_for):
    service = make_service(make_category(municipality_x))
    client = client_for(manager_x)
    path = f"/api/v1/m/{municipality_x.slug}/services/{service.pk}/"

    renamed = send(client, "PATCH", path, {"name_en": "Borrow books", "is_active": False})
    assert renamed.status_code == 200, renamed.content
    service.refresh_from_db()
    assert (service.name_en, service.is_active) == ("Borrow books", False)

    recoded = send(client, "PATCH", path, {"code": "noe-annet"})
    assert recoded.status_code == 400
    service.refresh_from_db()
    assert service.code == "laane-bok"


def test_a_service_code_is_unique_within_the_municipality_only(
    municipality_x, municipality_y, manager_x, client_for
):
    make_service(make_category(municipality_y, "lan-y"), code="parkeringstillatelse")
    category = make_category(municipality_x)
    client = client_for(manager_x)
    path = f"/api/v1/m/{municipality_x.slug}/services/"
    assert send(client, "POST", path, new_service(category)).status_code == 201
    again = send(client, "POST", path, new_service(category, name_en="Parking"))
    assert again.status_code == 400
    assert "code" in again.json()
    assert Service.objects.filter(municipality=municipality_x).count() == 1


def test_a_manager_creates_and_renames_a_category(municipality_x, manager_x, client_for):
    client = client_for(manager_x)
    path = f"/api/v1/m/{municipality_x.slug}/service-categories/"
    created = send(
        client, "POST", path, {"code": "bolig", "name_nb": "Bolig", "name_en": "Housing"}
    )
    assert created.status_code == 201, created.content
    category = ServiceCategory.objects.get(municipality=municipality_x, code="bolig")
    renamed = send(client, "PATCH", f"{path}{category.pk}/", {"name_en": "Housing support"})
    assert renamed.status_code == 200
    category.refresh_from_db()
    assert category.name_en == "Housing support"
    duplicate = send(client, "POST", path, {"code": "bolig", "name_nb": "B", "name_en": "B"})
    assert duplicate.status_code == 400


@pytest.mark.parametrize("persona", ["desk_worker_x", "analyst_x"])
def test_a_role_without_edit_catalogue_reads_but_cannot_write(
    persona, municipality_x, client_for, request
):
    category = make_category(municipality_x)
    client = client_for(request.getfixturevalue(persona))
    path = f"/api/v1/m/{municipality_x.slug}/services/"
    assert client.get(path).status_code == 200
    assert send(client, "POST", path, new_service(category)).status_code == 403
    assert not Service.objects.exists()


def test_the_services_list_filters_by_domain(municipality_x, desk_worker_x, client_for):
    category = make_category(municipality_x)
    make_service(category)
    Service.objects.create(
        municipality=municipality_x,
        category=category,
        code="eiendomsskatt",
        name_nb="Eiendomsskatt",
        name_en="Property tax",
        domain=Domain.MUNICIPAL,
        level=Level.SPECIALIST,
    )
    response = client_for(desk_worker_x).get(
        f"/api/v1/m/{municipality_x.slug}/services/", {"domain": "municipal"}
    )
    assert [s["code"] for s in response.json()["results"]] == ["eiendomsskatt"]


@pytest.mark.parametrize("number", ["1e999", "12", "1.5", "true", "null", "[]"])
def test_a_number_or_another_value_where_text_is_expected_is_refused(
    number, municipality_x, manager_x, client_for
):
    category = make_category(municipality_x)
    body = json.dumps(new_service(category)).replace('"Parkeringstillatelse"', number, 1)
    assert number in body
    response = client_for(manager_x).post(
        f"/api/v1/m/{municipality_x.slug}/services/",
        data=body,
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "name_nb" in response.json()
    assert not Service.objects.exists()


def test_the_idempotency_messages_speak_the_callers_language(municipality_x, manager_x, client_for):
    category = make_category(municipality_x)
    client = client_for(manager_x)
    path = f"/api/v1/m/{municipality_x.slug}/services/"
    without_key = client.post(
        path,
        data=json.dumps(new_service(category)),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert without_key.status_code == 400
    assert without_key.json() == {
        "detail": "Alle skriveoperasjoner må ha en Idempotency-Key-header "
        "(for eksempel en ny UUID)."
    }
    key = str(uuid.uuid4())
    assert send(client, "POST", path, new_service(category), key=key).status_code == 201
    reused = client.post(
        path,
        data=json.dumps(new_service(category, code="annen")),
        content_type="application/json",
        headers={"Idempotency-Key": key},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert reused.status_code == 422
    assert reused.json()["detail"].startswith(
        "Denne Idempotency-Key er allerede brukt for en annen forespørsel (POST "
    )
