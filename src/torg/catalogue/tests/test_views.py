"""Catalogue pages: who may see and change what, the search, and cross-tenant injection."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from torg.catalogue.models import Service, ServiceCategory
from torg.catalogue.services import catalogue_load_default
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.testing.factories import local


@pytest.fixture
def catalogue_x(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    return municipality_x


@pytest.fixture
def catalogue_y(municipality_y):
    catalogue_load_default(municipality=municipality_y)
    return municipality_y


def _url(name: str, slug: str = "kommune-x", *args: object) -> str:
    return reverse(f"catalogue:{name}", args=[slug, *args])


def _service(municipality, code: str) -> Service:
    return Service.objects.get(municipality=municipality, code=code)


def _form_data(category: ServiceCategory, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name_nb": "Fiskekort",
        "name_en": "Fishing licence",
        "code": "",
        "category": category.pk,
        "domain": "municipal",
        "level": "generalist",
        "synonyms": "fiske, fishing",
        "answer_note": "Fiskekort kjøpes på nett.",
        "answer_note_en": "Fishing licences are bought online.",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_the_url_of_the_list_is_the_one_the_menu_expects():
    assert reverse("catalogue:list", args=["kommune-x"]) == "/m/kommune-x/catalogue/"


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, catalogue_x):
    response = client.get(_url("list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_desk_worker_sees_the_catalogue_with_answer_notes_and_the_menu_item_marked(
    client_for, desk_worker_x, catalogue_x
):
    response = client_for(desk_worker_x).get(_url("list"))
    assert response.status_code == 200
    assert response.context["nav"] == "catalogue"
    assert (
        len(response.context["services"])
        == Service.objects.filter(municipality=catalogue_x).count()
    )
    html = response.content.decode()
    assert "Bostøtte" in html
    assert "Bostøtte er en statlig ordning fra Husbanken" in html
    assert f'href="{_url("list")}" aria-current="page"' in html
    assert _url("create") not in html  # no edit links for a desk worker


@pytest.mark.parametrize("query", ["bostotte", "BOSTØTTE", "housing allowance"])
def test_the_search_box_finds_the_housing_allowance_first(
    client_for, desk_worker_x, catalogue_x, query
):
    response = client_for(desk_worker_x).get(_url("list"), {"q": query})
    assert response.status_code == 200
    assert response.context["services"][0].code == "housing-allowance"
    assert response.context["searching"] is True


def test_the_filters_narrow_the_list(client_for, desk_worker_x, catalogue_x, reference):
    client = client_for(desk_worker_x)
    response = client.get(_url("list"), {"domain": "library", "level": "specialist"})
    services = response.context["services"]
    assert services
    assert {(service.domain, service.level) for service in services} == {("library", "specialist")}
    reports = ServiceCategory.objects.get(municipality=catalogue_x, code="reports")
    response = client.get(_url("list"), {"category": reports.pk})
    assert len(response.context["services"]) == reference["by_category"]["reports"]


def test_a_category_id_of_another_municipality_in_the_filter_is_refused_with_the_form_error(
    client_for, desk_worker_x, catalogue_x, catalogue_y
):
    foreign = ServiceCategory.objects.get(municipality=catalogue_y, code="reports")
    response = client_for(desk_worker_x).get(_url("list"), {"category": foreign.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["category"]
    assert response.context["services"] == []
    html = response.content.decode()
    assert "data-error-summary" in html and 'href="#id_category"' in html


@pytest.mark.parametrize("query", [{"domain": "nonsense"}, {"level": "boss"}, {"category": "x"}])
def test_invalid_catalogue_filters_give_400_like_the_list_filters(
    client_for, desk_worker_x, catalogue_x, query
):
    response = client_for(desk_worker_x).get(_url("list"), query)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == list(query)


def test_an_outsider_gets_404_for_every_catalogue_page(client_for, outsider_y, catalogue_x):
    client = client_for(outsider_y)
    service = _service(catalogue_x, "library-card")
    assert client.get(_url("list")).status_code == 404
    assert client.get(_url("create")).status_code == 404
    assert client.get(_url("edit", "kommune-x", service.pk)).status_code == 404
    assert client.post(_url("remove", "kommune-x", service.pk)).status_code == 404
    assert client.post(_url("load_default")).status_code == 404
    service.refresh_from_db()
    assert service.is_active is True


@pytest.mark.parametrize("persona", ["desk_worker_x", "analyst_x"])
def test_a_member_without_the_edit_permission_gets_403_on_every_write(
    client_for, request, persona, catalogue_x
):
    client = client_for(request.getfixturevalue(persona))
    service = _service(catalogue_x, "library-card")
    category = service.category
    before = Service.objects.count()
    assert client.get(_url("create")).status_code == 403
    assert client.post(_url("create"), _form_data(category)).status_code == 403
    assert client.get(_url("edit", "kommune-x", service.pk)).status_code == 403
    assert (
        client.post(
            _url("edit", "kommune-x", service.pk), _form_data(category, name_nb="X")
        ).status_code
        == 403
    )
    assert client.post(_url("remove", "kommune-x", service.pk)).status_code == 403
    assert client.post(_url("load_default")).status_code == 403
    assert Service.objects.count() == before
    service.refresh_from_db()
    assert (service.name_nb, service.is_active) == ("Bibliotekkort", True)


@pytest.mark.parametrize("persona", ["manager_x", "administrator_x"])
def test_a_manager_or_administrator_adds_a_service_with_a_code_made_from_the_name(
    client_for, request, persona, catalogue_x
):
    client = client_for(request.getfixturevalue(persona))
    category = ServiceCategory.objects.get(municipality=catalogue_x, code="civic-life")
    assert client.get(_url("create")).status_code == 200
    response = client.post(_url("create"), _form_data(category))
    assert response.status_code == 302
    assert response["Location"] == f"{_url('list')}#service-fiskekort"
    service = _service(catalogue_x, "fiskekort")
    assert (service.name_en, service.category_id, service.default_digest) == (
        "Fishing licence",
        category.pk,
        "",
    )


def test_posting_another_municipalitys_category_id_is_rejected_and_creates_nothing(
    client_for, manager_x, catalogue_x, catalogue_y
):
    foreign = ServiceCategory.objects.get(municipality=catalogue_y, code="civic-life")
    before = Service.objects.count()
    response = client_for(manager_x).post(_url("create"), _form_data(foreign))
    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    assert Service.objects.count() == before
    assert not Service.objects.filter(code="fiskekort").exists()


def test_moving_a_service_into_another_municipalitys_category_is_rejected(
    client_for, manager_x, catalogue_x, catalogue_y
):
    service = _service(catalogue_x, "library-card")
    foreign = ServiceCategory.objects.get(municipality=catalogue_y, code="lending")
    response = client_for(manager_x).post(
        _url("edit", "kommune-x", service.pk), _form_data(foreign, name_nb="Bibliotekkort")
    )
    assert response.status_code == 400
    assert "category" in response.context["form"].errors
    service.refresh_from_db()
    assert service.category.municipality_id == catalogue_x.pk


def test_a_manager_cannot_reach_another_municipalitys_service_through_their_own_url(
    client_for, manager_x, catalogue_x, catalogue_y
):
    foreign = _service(catalogue_y, "library-card")
    client = client_for(manager_x)
    assert client.get(_url("edit", "kommune-x", foreign.pk)).status_code == 404
    response = client.post(
        _url("edit", "kommune-x", foreign.pk), _form_data(foreign.category, name_nb="Hacket")
    )
    assert response.status_code == 404
    assert client.post(_url("remove", "kommune-x", foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.name_nb, foreign.is_active) == ("Bibliotekkort", True)


def test_editing_saves_the_changes_but_never_the_code(client_for, manager_x, catalogue_x):
    service = _service(catalogue_x, "parking-resident")
    data = _form_data(
        service.category,
        code="hacked-code",
        name_nb="Beboerparkering",
        name_en="Resident parking permit",
        answer_note="Ta med vognkortet til parkeringskontoret.",
    )
    response = client_for(manager_x).post(_url("edit", "kommune-x", service.pk), data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.code == "parking-resident"
    assert service.answer_note == "Ta med vognkortet til parkeringskontoret."


def test_a_duplicate_code_is_reported_on_the_code_field(client_for, manager_x, catalogue_x):
    category = ServiceCategory.objects.get(municipality=catalogue_x, code="lending")
    response = client_for(manager_x).post(_url("create"), _form_data(category, code="library-card"))
    assert response.status_code == 400
    assert response.context["form"].has_error("code", "duplicate")
    assert Service.objects.filter(municipality=catalogue_x, code="library-card").count() == 1


def test_removing_a_service_that_inquiries_use_deactivates_it(
    client_for, manager_x, site_a, municipality_x
):
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="own", name_nb="Eget", name_en="Own"
    )
    client = client_for(manager_x)
    client.post(_url("create"), _form_data(category))
    service = _service(municipality_x, "fiskekort")
    Inquiry.objects.create(
        municipality=municipality_x,
        site=site_a,
        occurred_at=local(2024, 5, 2, 9, 30),
        channel=Channel.PHONE,
        service=service,
        outcome=Outcome.RESOLVED,
    )
    confirm = client.get(_url("remove", "kommune-x", service.pk))
    assert confirm.context["will_delete"] is False
    assert client.post(_url("remove", "kommune-x", service.pk)).status_code == 302
    service.refresh_from_db()
    assert service.is_active is False
    listed = client.get(_url("list")).context["services"]
    assert service not in listed
    assert service in client.get(_url("list"), {"inactive": "on"}).context["services"]


def test_removing_an_unused_service_of_the_municipalitys_own_deletes_it(
    client_for, manager_x, municipality_x
):
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="own", name_nb="Eget", name_en="Own"
    )
    client = client_for(manager_x)
    client.post(_url("create"), _form_data(category))
    service = _service(municipality_x, "fiskekort")
    assert client.get(_url("remove", "kommune-x", service.pk)).context["will_delete"] is True
    client.post(_url("remove", "kommune-x", service.pk))
    assert not Service.objects.filter(pk=service.pk).exists()


def test_an_empty_catalogue_offers_the_default_to_a_manager_who_can_load_it_once(
    client_for, manager_x, municipality_x, reference
):
    client = client_for(manager_x)
    page = client.get(_url("list"))
    assert page.context["catalogue_is_empty"] is True
    assert _url("load_default") in page.content.decode()
    assert client.get(_url("load_default")).status_code == 405
    assert client.post(_url("load_default")).status_code == 302
    assert client.post(_url("load_default")).status_code == 302
    assert Service.objects.filter(municipality=municipality_x).count() == reference["services"]


class _FormControls(HTMLParser):
    """Collects form controls and label targets of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"] or "")
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
        }:
            self.controls.append(attributes)


def _unlabelled(html: str) -> list[dict[str, str | None]]:
    parser = _FormControls()
    parser.feed(html)
    return [control for control in parser.controls if control.get("id") not in parser.label_for]


def test_every_control_on_the_list_and_the_form_has_a_label(client_for, manager_x, catalogue_x):
    client = client_for(manager_x)
    service = _service(catalogue_x, "library-card")
    for url in (_url("list"), _url("create"), _url("edit", "kommune-x", service.pk)):
        html = client.get(url).content.decode()
        main = html[html.index("<main") :]  # the header's controls belong to the layout
        assert _unlabelled(main) == [], url


def test_a_rejected_form_has_an_error_summary_linking_to_the_field(
    client_for, manager_x, catalogue_x
):
    category = ServiceCategory.objects.get(municipality=catalogue_x, code="lending")
    response = client_for(manager_x).post(_url("create"), _form_data(category, name_en=""))
    html = response.content.decode()
    assert 'class="error-summary" role="alert"' in html
    assert 'href="#id_name_en"' in html
    assert 'aria-invalid="true"' in html
