"""The bundled default catalogue file and its validation (no database)."""

from __future__ import annotations

import json

import pytest

from torg.catalogue.defaults import (
    CatalogueDataError,
    parse_catalogue,
    read_default_catalogue,
)
from torg.catalogue.tests.conftest import tiny_catalogue

# Service codes the brief and the Alessandria citizen-report import rely on.
REQUIRED_CODES = {
    "lending-returns",
    "library-card",
    "interlibrary-loan",
    "reading-advice",
    "digital-help-bankid",
    "digital-help-id-porten",
    "digital-help-digipost",
    "printing-copying-scanning",
    "events-children",
    "study-places",
    "meeting-rooms",
    "self-service-access",
    "language-cafe",
    "building-application",
    "property-tax",
    "parking-resident",
    "parking-disabled",
    "waste-collection",
    "kindergarten-place",
    "school-enrolment",
    "housing-allowance",
    "municipal-housing",
    "home-care-services",
    "nav-referral",
    "tax-office-referral",
    "marriage-ceremony",
    "dogs-animals",
    "tt-card",
    "general-information",
    "report-roads",
    "report-street-lights",
    "report-parks",
    "report-water-sewer",
    "report-pests",
    "report-traffic-signs",
    "report-other",
    "report-cemeteries",
    "report-accessibility",
    "report-animals",
    "ideas-proposals",
    "report-urban-furniture",
    "report-playgrounds",
    "report-drains",
}


def test_the_bundled_catalogue_passes_validation_with_at_least_40_services_of_both_domains():
    catalogue = read_default_catalogue()
    by_domain = catalogue.count_by("domain")
    assert len(catalogue.services) >= 40
    assert by_domain["library"] >= 15
    assert by_domain["municipal"] >= 15
    assert by_domain["shared"] >= 1


def test_the_bundled_catalogue_has_the_counts_jq_computed_from_the_raw_file(reference):
    catalogue = read_default_catalogue()
    assert len(catalogue.services) == reference["services"]
    assert len(catalogue.categories) == reference["categories"]
    assert catalogue.count_by("domain") == reference["by_domain"]
    assert catalogue.count_by("level") == reference["by_level"]
    assert catalogue.count_by("category") == reference["by_category"]
    synonyms = sum(len(service.synonyms.split(", ")) for service in catalogue.services)
    assert synonyms == reference["synonym_count"]


def test_the_bundled_catalogue_has_every_service_the_desk_and_the_imports_need():
    codes = {service.code for service in read_default_catalogue().services}
    assert REQUIRED_CODES - codes == set()


def test_every_bundled_service_has_names_synonyms_and_a_note_of_one_to_three_sentences_in_both_languages():
    for service in read_default_catalogue().services:
        assert service.name_nb and service.name_en, service.code
        assert service.synonyms, service.code
        for note in (service.answer_note, service.answer_note_en):
            sentences = [part for part in note.replace("?", ".").split(". ") if part.strip()]
            assert 1 <= len(sentences) <= 3, (service.code, note)
            assert note.endswith("."), (service.code, note)


def test_a_tiny_valid_catalogue_parses_with_categories_in_file_order():
    catalogue = parse_catalogue(tiny_catalogue())
    assert [category.code for category in catalogue.categories] == ["library", "municipal"]
    assert [category.position for category in catalogue.categories] == [1, 2]
    assert [service.code for service in catalogue.services] == [
        "lending",
        "library-card",
        "parking",
    ]


def test_synonyms_of_both_languages_are_joined_without_repeats():
    data = tiny_catalogue()
    data["services"][0]["synonyms_nb"] = ["låne", "BankID"]
    data["services"][0]["synonyms_en"] = ["borrow", "BankID"]
    assert parse_catalogue(data).services[0].synonyms == "låne, BankID, borrow"


def _problems(data: object) -> list[str]:
    with pytest.raises(CatalogueDataError) as caught:
        parse_catalogue(data, source="test.json")
    return caught.value.problems


def test_it_rejects_a_service_code_used_twice():
    data = tiny_catalogue()
    data["services"][1]["code"] = "lending"
    assert _problems(data) == [
        "services[1] (code 'lending'): the code 'lending' is used by another service"
    ]


def test_it_rejects_a_category_code_used_twice():
    data = tiny_catalogue()
    data["categories"][1]["code"] = "library"
    problems = _problems(data)
    assert (
        "categories[1] (code 'library'): the code 'library' is used by another category" in problems
    )


def test_it_rejects_an_invalid_domain_and_level():
    data = tiny_catalogue()
    data["services"][2]["domain"] = "kommune"
    data["services"][2]["level"] = "expert"
    assert _problems(data) == [
        "services[2] (code 'parking'): domain 'kommune' is not one of library, municipal, shared",
        "services[2] (code 'parking'): level 'expert' is not one of generalist, specialist",
    ]


def test_it_rejects_a_service_in_an_unknown_category():
    data = tiny_catalogue()
    data["services"][0]["category"] = "culture"
    assert _problems(data) == [
        "services[0] (code 'lending'): category 'culture' is not one of the file's categories"
    ]


def test_it_lists_every_problem_of_every_entry_at_once():
    data = tiny_catalogue()
    del data["services"][0]["name_nb"]
    data["services"][1]["code"] = "Library Card"
    data["services"][1]["colour"] = "blue"
    data["services"][2]["synonyms_en"] = ["parking, permit"]
    data["services"][2]["answer_note_nb"] = " "
    problems = _problems(data)
    assert problems == [
        "services[0] (code 'lending'): name_nb is missing",
        "services[1] (code 'Library Card'): unknown key 'colour'",
        "services[1] (code 'Library Card'): code 'Library Card' must be lower-case letters, digits and single hyphens",
        "services[2] (code 'parking'): synonyms_en: 'parking, permit' contains a comma (synonyms are comma-separated)",
        "services[2] (code 'parking'): answer_note_nb is empty",
    ]


def test_it_rejects_codes_and_synonyms_that_do_not_fit_the_database_columns():
    data = tiny_catalogue()
    data["services"][0]["code"] = "a" * 81
    data["services"][1]["synonyms_nb"] = [f"ord{number:03d} {'x' * 20}" for number in range(30)]
    problems = _problems(data)
    assert problems[0].endswith("is longer than 80 characters")
    assert "at most 500" in problems[1]


def test_it_rejects_a_file_of_another_format_or_shape():
    assert _problems([]) == ["the top level must be a JSON object"]
    problems = _problems({"format": "csv"})
    assert problems == [
        "format must be 'torg-catalogue/1', not 'csv'",
        "categories must be a non-empty list",
        "services must be a non-empty list",
    ]


def test_reading_a_file_that_is_not_json_is_a_catalogue_data_error(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogueDataError, match="is not UTF-8 JSON"):
        read_default_catalogue(path)
    with pytest.raises(CatalogueDataError, match="cannot be read"):
        read_default_catalogue(tmp_path / "missing.json")


def test_the_error_message_names_the_file_and_each_problem(tmp_path):
    data = tiny_catalogue()
    data["services"][2]["domain"] = "kommune"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CatalogueDataError) as caught:
        read_default_catalogue(path)
    assert str(caught.value).startswith(
        f"{path} is not a valid service catalogue:\n  - services[2]"
    )
