"""Loading the default catalogue and writing services (torg.catalogue.services)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from torg.catalogue.defaults import parse_catalogue, read_default_catalogue
from torg.catalogue.models import Service, ServiceCategory
from torg.catalogue.services import (
    RemovalOutcome,
    catalogue_load_default,
    service_create,
    service_is_edited,
    service_remove,
    service_update,
)
from torg.catalogue.tests.conftest import tiny_catalogue
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.testing.factories import local


def _counts(municipality) -> tuple[int, int]:
    return (
        Service.objects.filter(municipality=municipality).count(),
        ServiceCategory.objects.filter(municipality=municipality).count(),
    )


def test_loading_the_default_catalogue_stores_every_service_jq_counted(municipality_x, reference):
    result = catalogue_load_default(municipality=municipality_x)
    assert result.created == reference["services"]
    assert result.categories_created == reference["categories"]
    services = Service.objects.filter(municipality=municipality_x)
    assert services.count() == reference["services"]
    assert (
        ServiceCategory.objects.filter(municipality=municipality_x).count()
        == reference["categories"]
    )
    for domain, count in reference["by_domain"].items():
        assert services.filter(domain=domain).count() == count
    for level, count in reference["by_level"].items():
        assert services.filter(level=level).count() == count
    for category, count in reference["by_category"].items():
        assert services.filter(category__code=category).count() == count
    assert sum(len(service.synonym_list) for service in services) == reference["synonym_count"]
    assert not services.filter(is_active=False).exists()
    assert not services.filter(answer_note="").exists()
    assert not services.filter(answer_note_en="").exists()


def test_loading_twice_adds_nothing_and_reports_everything_unchanged(municipality_x, reference):
    catalogue_load_default(municipality=municipality_x)
    before = _counts(municipality_x)
    ids_before = set(Service.objects.values_list("id", flat=True))
    again = catalogue_load_default(municipality=municipality_x)
    assert _counts(municipality_x) == before
    assert set(Service.objects.values_list("id", flat=True)) == ids_before
    assert (again.created, again.updated, again.replaced) == (0, 0, 0)
    assert again.unchanged == reference["services"]
    assert again.categories_created == 0
    assert again.kept_edited == []


def test_loading_into_one_municipality_leaves_the_other_alone(municipality_x, municipality_y):
    catalogue_load_default(municipality=municipality_x)
    assert _counts(municipality_y) == (0, 0)
    catalogue_load_default(municipality=municipality_y)
    lending_x = Service.objects.get(municipality=municipality_x, code="lending-returns")
    lending_y = Service.objects.get(municipality=municipality_y, code="lending-returns")
    assert lending_x.pk != lending_y.pk
    assert lending_x.category.municipality_id == municipality_x.pk
    assert lending_y.category.municipality_id == municipality_y.pk


def test_a_service_the_municipality_edited_is_kept_unless_replace(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    service = Service.objects.get(municipality=municipality_x, code="parking-resident")
    service_update(service=service, answer_note="Spør på parkeringskontoret i 2. etasje.")
    assert service_is_edited(service)

    kept = catalogue_load_default(municipality=municipality_x)
    assert kept.kept_edited == ["parking-resident"]
    service.refresh_from_db()
    assert service.answer_note == "Spør på parkeringskontoret i 2. etasje."

    replaced = catalogue_load_default(municipality=municipality_x, replace=True)
    assert replaced.replaced == 1
    service.refresh_from_db()
    assert service.answer_note.startswith("Beboerparkering søkes vanligvis digitalt")
    assert not service_is_edited(service)


def test_a_deactivated_default_service_stays_deactivated_on_reload(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    service = Service.objects.get(municipality=municipality_x, code="language-cafe")
    assert service_remove(service=service) == RemovalOutcome.DEACTIVATED
    result = catalogue_load_default(municipality=municipality_x)
    assert result.kept_edited == ["language-cafe"]
    service.refresh_from_db()
    assert service.is_active is False


def test_an_untouched_service_follows_a_new_version_of_the_default(municipality_x):
    old = tiny_catalogue()
    catalogue_load_default(municipality=municipality_x, catalogue=parse_catalogue(old))
    new = tiny_catalogue()
    new["services"][0]["answer_note_nb"] = "Ny tekst om lån."
    new["services"][2]["answer_note_nb"] = "Ny tekst om parkering."
    edited = Service.objects.get(municipality=municipality_x, code="parking")
    service_update(service=edited, name_nb="Parkering og bompenger")

    result = catalogue_load_default(municipality=municipality_x, catalogue=parse_catalogue(new))

    assert (result.updated, result.unchanged, result.kept_edited) == (1, 1, ["parking"])
    assert (
        Service.objects.get(municipality=municipality_x, code="lending").answer_note
        == "Ny tekst om lån."
    )
    edited.refresh_from_db()
    assert edited.answer_note == "Om Parkering."
    assert edited.name_nb == "Parkering og bompenger"


def test_a_service_the_municipality_made_with_a_default_code_counts_as_edited(municipality_x):
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="own", name_nb="Eget", name_en="Own"
    )
    service_create(
        municipality=municipality_x,
        category=category,
        code="parking",
        name_nb="Vår parkering",
        name_en="Our parking",
        domain="municipal",
        level="generalist",
    )
    result = catalogue_load_default(
        municipality=municipality_x, catalogue=parse_catalogue(tiny_catalogue())
    )
    assert result.kept_edited == ["parking"]
    assert (
        Service.objects.get(municipality=municipality_x, code="parking").name_nb == "Vår parkering"
    )


def test_services_and_categories_outside_the_default_are_never_touched(municipality_x):
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="local", name_nb="Lokalt", name_en="Local"
    )
    own = service_create(
        municipality=municipality_x,
        category=category,
        code="fishing-licence",
        name_nb="Fiskekort",
        name_en="Fishing licence",
        domain="municipal",
        level="generalist",
    )
    catalogue_load_default(municipality=municipality_x, replace=True)
    own.refresh_from_db()
    assert (own.name_nb, own.category_id, own.is_active) == ("Fiskekort", category.pk, True)


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do(municipality_x, reference):
    result = catalogue_load_default(municipality=municipality_x, dry_run=True)
    assert result.created == reference["services"]
    assert result.summary().startswith("Dry run, nothing written: ")
    assert _counts(municipality_x) == (0, 0)


def test_the_summary_is_one_line_with_every_count(municipality_x):
    result = catalogue_load_default(
        municipality=municipality_x, catalogue=parse_catalogue(tiny_catalogue())
    )
    assert result.summary() == (
        "catalogue of kommune-x: 3 services created, 0 updated, 0 replaced, 0 unchanged, "
        "0 edited and kept; 2 categories created, 0 updated."
    )


def test_replace_restores_the_default_category_names(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    ServiceCategory.objects.filter(municipality=municipality_x, code="reports").update(
        name_nb="Feil"
    )
    assert catalogue_load_default(municipality=municipality_x).categories_updated == 0
    assert catalogue_load_default(municipality=municipality_x, replace=True).categories_updated == 1
    assert ServiceCategory.objects.get(municipality=municipality_x, code="reports").name_nb == (
        "Melde feil og gi innspill"
    )


def test_the_stored_digest_matches_the_entry_it_came_from(municipality_x):
    catalogue_load_default(municipality=municipality_x)
    digests = {service.code: service.digest for service in read_default_catalogue().services}
    for service in Service.objects.filter(municipality=municipality_x).select_related("category"):
        assert service.default_digest == digests[service.code]
        assert not service_is_edited(service)


def test_creating_a_service_in_another_municipalitys_category_is_refused(
    municipality_x, municipality_y
):
    foreign = ServiceCategory.objects.create(
        municipality=municipality_y, code="y", name_nb="Y", name_en="Y"
    )
    with pytest.raises(ValidationError) as caught:
        service_create(
            municipality=municipality_x,
            category=foreign,
            code="sneaky",
            name_nb="Snikete",
            name_en="Sneaky",
            domain="municipal",
            level="generalist",
        )
    assert "category" in caught.value.message_dict
    assert not Service.objects.filter(code="sneaky").exists()


def test_moving_a_service_to_another_municipalitys_category_is_refused(
    municipality_x, municipality_y
):
    catalogue_load_default(municipality=municipality_x, catalogue=parse_catalogue(tiny_catalogue()))
    foreign = ServiceCategory.objects.create(
        municipality=municipality_y, code="y", name_nb="Y", name_en="Y"
    )
    service = Service.objects.get(municipality=municipality_x, code="parking")
    with pytest.raises(ValidationError):
        service_update(service=service, category=foreign)
    service.refresh_from_db()
    assert service.category.municipality_id == municipality_x.pk


def test_the_code_of_a_service_cannot_be_changed(municipality_x):
    catalogue_load_default(municipality=municipality_x, catalogue=parse_catalogue(tiny_catalogue()))
    service = Service.objects.get(municipality=municipality_x, code="parking")
    with pytest.raises(ValidationError, match="code"):
        service_update(service=service, code="parkering")


def test_a_duplicate_code_in_one_municipality_is_refused_but_allowed_in_another(
    municipality_x, municipality_y
):
    catalogue_load_default(municipality=municipality_x, catalogue=parse_catalogue(tiny_catalogue()))
    category_x = ServiceCategory.objects.get(municipality=municipality_x, code="municipal")
    fields: dict[str, Any] = {
        "code": "parking",
        "name_nb": "P",
        "name_en": "P",
        "domain": "municipal",
        "level": "generalist",
    }
    with pytest.raises(ValidationError):
        service_create(municipality=municipality_x, category=category_x, **fields)
    category_y = ServiceCategory.objects.create(
        municipality=municipality_y, code="municipal", name_nb="K", name_en="M"
    )
    assert service_create(municipality=municipality_y, category=category_y, **fields).pk


def test_synonyms_are_trimmed_and_deduplicated_when_saved(municipality_x):
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="c", name_nb="C", name_en="C"
    )
    service = service_create(
        municipality=municipality_x,
        category=category,
        code="fishing",
        name_nb=" Fiskekort ",
        name_en="Fishing licence",
        domain="municipal",
        level="generalist",
        synonyms="fiske,  Fiske , fishing,,",
    )
    assert (service.name_nb, service.synonyms) == ("Fiskekort", "fiske, fishing")


def _own_service(municipality) -> Service:
    category = ServiceCategory.objects.create(
        municipality=municipality, code="own", name_nb="Eget", name_en="Own"
    )
    return service_create(
        municipality=municipality,
        category=category,
        code="own-service",
        name_nb="Egen tjeneste",
        name_en="Own service",
        domain="shared",
        level="generalist",
    )


def test_removing_an_unused_service_of_the_municipalitys_own_deletes_it(municipality_x):
    service = _own_service(municipality_x)
    assert service_remove(service=service) == RemovalOutcome.DELETED
    assert not Service.objects.filter(code="own-service").exists()


def test_removing_a_service_that_inquiries_use_deactivates_it(municipality_x, site_a):
    service = _own_service(municipality_x)
    Inquiry.objects.create(
        municipality=municipality_x,
        site=site_a,
        occurred_at=local(2024, 3, 1, 10, 0),
        channel=Channel.IN_PERSON,
        service=service,
        outcome=Outcome.RESOLVED,
    )
    assert service_remove(service=service) == RemovalOutcome.DEACTIVATED
    service.refresh_from_db()
    assert service.is_active is False
    assert Inquiry.objects.filter(service=service).count() == 1
