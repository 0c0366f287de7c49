"""Personas and catalogue rows for the desk tests: a desk at site A of municipality X with
a library and a municipal service, and the same in municipality Y for the outsider."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import make_service_point

#: A fixed "now" for the services: Tuesday 5 March 2024, 10:00 in Oslo (09:00 UTC).
NOW = dt.datetime(2024, 3, 5, 9, 0, tzinfo=dt.UTC)


def make_service(
    municipality: Municipality,
    code: str,
    *,
    domain: str = Domain.LIBRARY,
    name_nb: str | None = None,
    name_en: str | None = None,
    synonyms: str = "",
    answer_note: str = "",
    is_active: bool = True,
) -> Service:
    category, _ = ServiceCategory.objects.get_or_create(
        municipality=municipality, code="desk", defaults={"name_nb": "Skranke", "name_en": "Desk"}
    )
    return Service.objects.create(
        municipality=municipality,
        category=category,
        code=code,
        name_nb=name_nb or code.replace("-", " ").capitalize(),
        name_en=name_en or code.replace("-", " ").capitalize(),
        domain=domain,
        level=Level.GENERALIST,
        synonyms=synonyms,
        answer_note=answer_note,
        is_active=is_active,
    )


@dataclass(frozen=True)
class Desk:
    site: Site
    point: ServicePoint
    loan: Service  # library
    housing: Service  # municipal


def make_desk(site: Site) -> Desk:
    municipality = site.municipality
    return Desk(
        site=site,
        point=make_service_point(site, "Skranke 1"),
        loan=make_service(municipality, "lan", name_nb="Lån og innlevering", name_en="Loans"),
        housing=make_service(
            municipality,
            "bostotte",
            domain=Domain.MUNICIPAL,
            name_nb="Bostøtte",
            name_en="Housing allowance",
            synonyms="husbanken, housing benefit",
            answer_note="Søknad via Husbanken; andrelinje hjelper med klager.",
        ),
    )


def tenancy_of(municipality: Municipality, role: str) -> Tenancy:
    return Tenancy(municipality=municipality, role=role)
