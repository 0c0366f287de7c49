"""The desk search over a municipality's catalogue (torg.catalogue.selectors)."""

from __future__ import annotations

import pytest
from django.utils import translation

from torg.catalogue.models import Service, ServiceCategory
from torg.catalogue.selectors import ServiceFilter, categories_of, service_search
from torg.catalogue.services import catalogue_load_default, service_remove


@pytest.fixture
def loaded_x(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    return municipality_x


def _codes(municipality, **search) -> list[str]:
    return [service.code for service in service_search(municipality, ServiceFilter(**search))]


@pytest.mark.parametrize(
    "query", ["bostotte", "Bostøtte", "BOSTØTTE", "bostoette", "housing allowance"]
)
def test_the_housing_allowance_is_the_best_match_however_it_is_typed(loaded_x, query):
    assert _codes(loaded_x, query=query)[0] == "housing-allowance"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("lånekort", "library-card"),  # bokmål synonym
        ("lanekort", "library-card"),
        ("borrower card", "library-card"),  # English synonym
        ("meråpent", "self-service-access"),
        ("meraapent", "self-service-access"),
        ("tt-kort", "tt-card"),
        ("TT kort", "tt-card"),
        ("hull i veien", "report-roads"),
        ("pothole", "report-roads"),
        ("Digipost", "digital-help-digipost"),
        ("barnehage", "kindergarten-place"),
        ("skattekort", "tax-office-referral"),
        ("eiendomsskatt", "property-tax"),
        ("vielse", "marriage-ceremony"),
    ],
)
def test_a_name_or_synonym_in_either_language_finds_the_service_first(loaded_x, query, code):
    assert _codes(loaded_x, query=query)[0] == code


def test_a_query_that_matches_nothing_returns_nothing(loaded_x):
    assert _codes(loaded_x, query="xylofonreparasjon") == []


def test_without_a_query_services_come_in_catalogue_order(loaded_x):
    services = service_search(loaded_x, ServiceFilter())
    positions = [service.category.position for service in services]
    assert positions == sorted(positions)
    assert len(services) == Service.objects.filter(municipality=loaded_x).count()


def test_filters_by_domain_level_and_category_combine(loaded_x, reference):
    assert len(_codes(loaded_x, domain="library")) == reference["by_domain"]["library"]
    assert len(_codes(loaded_x, level="specialist")) == reference["by_level"]["specialist"]
    reports = ServiceCategory.objects.get(municipality=loaded_x, code="reports")
    assert len(_codes(loaded_x, category=reports)) == reference["by_category"]["reports"]
    specialist_library = _codes(loaded_x, domain="library", level="specialist")
    assert "interlibrary-loan" in specialist_library
    assert "lending-returns" not in specialist_library
    assert (
        set(_codes(loaded_x, query="BankID", domain="library")) & {"digital-help-bankid"} == set()
    )


def test_inactive_services_are_hidden_unless_asked_for(loaded_x):
    service_remove(service=Service.objects.get(municipality=loaded_x, code="language-cafe"))
    assert "language-cafe" not in _codes(loaded_x, query="språkkafé")
    assert _codes(loaded_x, query="språkkafé", include_inactive=True)[0] == "language-cafe"


def test_the_search_never_returns_another_municipalitys_services(loaded_x, municipality_y):
    catalogue_load_default(municipality=municipality_y)
    for service in service_search(loaded_x, ServiceFilter(query="bostøtte")):
        assert service.municipality_id == loaded_x.pk
    foreign_category = ServiceCategory.objects.get(municipality=municipality_y, code="reports")
    assert _codes(loaded_x, category=foreign_category) == []


def test_categories_come_in_menu_order_with_names_in_the_active_language(loaded_x):
    categories = list(categories_of(loaded_x))
    assert categories[0].code == "lending"
    with translation.override("en"):
        assert categories[0].name == "Lending and library cards"
    with translation.override("nb"):
        assert categories[0].name == "Lån og bibliotekkort"
