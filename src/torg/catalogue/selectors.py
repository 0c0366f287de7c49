"""Reads of the service catalogue, always scoped to one municipality."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from torg.catalogue.models import Service, ServiceCategory
from torg.catalogue.search import SearchText, query_tokens
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped


def categories_of(municipality: Municipality) -> QuerySet[ServiceCategory]:
    """The municipality's categories in menu order (``position``, then bokmål name)."""
    return scoped(ServiceCategory, municipality).order_by("position", "name_nb")


def search_text_of(service: Service) -> SearchText:
    """What the desk search looks at: both names (and the code), the synonyms, both notes."""
    return SearchText.of(
        names=[service.name_nb, service.name_en, service.code],
        synonyms=service.synonym_list,
        notes=[service.answer_note, service.answer_note_en],
    )


@dataclass(frozen=True)
class ServiceFilter:
    """The desk search: free text plus optional filters. Empty values mean "any"."""

    query: str = ""
    domain: str = ""
    level: str = ""
    category: ServiceCategory | None = None
    include_inactive: bool = False


def service_search(municipality: Municipality, search: ServiceFilter) -> list[Service]:
    """The municipality's services that match ``search``, best first.

    Filters (domain, level, category, active) run in the database. The free text is matched
    in Python with :mod:`torg.catalogue.search` (case- and accent-insensitive; "bostotte"
    finds "Bostøtte"), because SQLite has no accent folding; a catalogue has some hundred
    services, so this is a single query and a linear scan. Every word of the query must be
    found in the names, code, synonyms or answer notes; a service ranks higher when the
    words are in its name than in its synonyms or notes. Without a query, services come in
    catalogue order (category position, bokmål name).

    A ``category`` of another municipality matches nothing (never another tenant's rows).
    """
    services = scoped(Service, municipality).select_related("category")
    if not search.include_inactive:
        services = services.filter(is_active=True)
    if search.domain:
        services = services.filter(domain=search.domain)
    if search.level:
        services = services.filter(level=search.level)
    if search.category is not None:
        services = services.filter(category=search.category)
    ordered = list(services.order_by("category__position", "category__name_nb", "name_nb"))
    tokens = query_tokens(search.query)
    if not tokens:
        return ordered
    scored = [
        (search_text_of(service).score(tokens), index, service)
        for index, service in enumerate(ordered)
    ]
    return [
        service
        for score, _, service in sorted(scored, key=lambda row: (-row[0], row[1]))
        if score > 0
    ]
