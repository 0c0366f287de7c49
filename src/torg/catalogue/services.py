"""Writes to the service catalogue: loading the default catalogue, creating, editing and
removing services. Views, forms, the API and commands call these; they never write
catalogue rows themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from torg.catalogue.defaults import (
    DefaultCatalogue,
    DefaultService,
    content_digest,
    read_default_catalogue,
)
from torg.catalogue.models import Service, ServiceCategory
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped

# The fields of a service that a person may edit (``code`` only when creating).
EDITABLE_FIELDS = (
    "category",
    "name_nb",
    "name_en",
    "domain",
    "level",
    "synonyms",
    "answer_note",
    "answer_note_en",
    "is_active",
)


@dataclass
class CatalogueLoadResult:
    """What :func:`catalogue_load_default` did (or, in a dry run, would do).

    Counts are of services unless named ``categories_*``. ``kept_edited`` lists the codes of
    services the municipality has changed and the load therefore left alone.
    """

    municipality: str
    dry_run: bool = False
    categories_created: int = 0
    categories_updated: int = 0
    created: int = 0
    updated: int = 0
    replaced: int = 0
    unchanged: int = 0
    kept_edited: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command and the page message."""
        prefix = "Dry run, nothing written: " if self.dry_run else ""
        kept = f"{len(self.kept_edited)} edited and kept"
        if self.kept_edited:
            kept += (
                f" ({', '.join(self.kept_edited[:5])}{', …' if len(self.kept_edited) > 5 else ''})"
            )
        return (
            f"{prefix}catalogue of {self.municipality}: {self.created} services created, "
            f"{self.updated} updated, {self.replaced} replaced, {self.unchanged} unchanged, "
            f"{kept}; {self.categories_created} categories created, "
            f"{self.categories_updated} updated."
        )


def service_content(service: Service) -> dict[str, Any]:
    """The content of ``service`` in the shape of :meth:`DefaultService.content`."""
    return {
        "category": service.category.code,
        "name_nb": service.name_nb,
        "name_en": service.name_en,
        "domain": service.domain,
        "level": service.level,
        "synonyms": service.synonyms,
        "answer_note": service.answer_note,
        "answer_note_en": service.answer_note_en,
        "is_active": service.is_active,
    }


def service_is_edited(service: Service) -> bool:
    """Whether ``service`` differs from the default entry it was loaded from. A service the
    municipality created itself (no ``default_digest``) counts as edited."""
    return not service.default_digest or content_digest(service_content(service)) != (
        service.default_digest
    )


@transaction.atomic
def catalogue_load_default(
    *,
    municipality: Municipality,
    replace: bool = False,
    catalogue: DefaultCatalogue | None = None,
    dry_run: bool = False,
) -> CatalogueLoadResult:
    """Load Torg's default catalogue (or ``catalogue``) into ``municipality``, idempotently.

    Matching is by ``code``. For each default service:

    * missing in the municipality → created (active, remembering the entry's digest);
    * present and equal to the default → unchanged (running the load twice adds nothing);
    * present, untouched since an older default was loaded → updated to the new default;
    * present and edited by the municipality (content differs from what was loaded, or a
      service the municipality created with that code) → kept as it is, and its code is
      listed in ``kept_edited``; with ``replace=True`` it is reset to the default, including
      ``is_active``.

    Categories missing by code are created; with ``replace=True`` existing ones get the
    default names and order. Services and categories that are not in the default catalogue
    are never touched. A service the municipality removed from the catalogue comes back on
    the next load; to hide a default service, deactivate it (which is an edit).

    The whole load is one transaction; ``dry_run`` rolls it back and reports what it would
    have done. Raises :class:`torg.catalogue.defaults.CatalogueDataError` when the bundled
    file is invalid.
    """
    catalogue = catalogue or read_default_catalogue()
    # Serialise concurrent loads of one municipality (a no-op on SQLite, which locks the file).
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    result = CatalogueLoadResult(municipality=municipality.slug, dry_run=dry_run)

    categories = {category.code: category for category in scoped(ServiceCategory, municipality)}
    for default_category in catalogue.categories:
        category = categories.get(default_category.code)
        wanted = {
            "name_nb": default_category.name_nb,
            "name_en": default_category.name_en,
            "position": default_category.position,
        }
        if category is None:
            categories[default_category.code] = ServiceCategory.objects.create(
                municipality=municipality, code=default_category.code, **wanted
            )
            result.categories_created += 1
        elif replace and any(getattr(category, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(category, key, value)
            category.save(update_fields=list(wanted))
            result.categories_updated += 1

    existing = {
        service.code: service
        for service in scoped(Service, municipality).select_related("category")
    }
    to_create: list[Service] = []
    for default in catalogue.services:
        service = existing.get(default.code)
        if service is None:
            to_create.append(_new_default_service(municipality, categories, default))
            result.created += 1
            continue
        current = content_digest(service_content(service))
        if current == default.digest:
            if service.default_digest != default.digest:
                service.default_digest = default.digest
                service.save(update_fields=["default_digest"])
            result.unchanged += 1
        elif service.default_digest and current == service.default_digest:
            _apply_default(service, categories, default)
            result.updated += 1
        elif replace:
            _apply_default(service, categories, default)
            result.replaced += 1
        else:
            result.kept_edited.append(default.code)
    Service.objects.bulk_create(to_create)
    if dry_run:
        transaction.set_rollback(True)
    return result


def _new_default_service(
    municipality: Municipality,
    categories: dict[str, ServiceCategory],
    default: DefaultService,
) -> Service:
    content = default.content()
    content["category"] = categories[default.category]
    return Service(
        municipality=municipality, code=default.code, default_digest=default.digest, **content
    )


def _apply_default(
    service: Service, categories: dict[str, ServiceCategory], default: DefaultService
) -> None:
    content = default.content()
    content["category"] = categories[default.category]
    for key, value in content.items():
        setattr(service, key, value)
    service.default_digest = default.digest
    service.save()


def _check_category(municipality: Municipality, category: ServiceCategory) -> None:
    if category.municipality_id != municipality.pk:
        raise ValidationError({"category": _("The category belongs to another municipality.")})


def normalise_synonyms(text: str) -> str:
    """Comma-separated synonyms, trimmed, without empty entries or repeats (case-insensitive).

    >>> normalise_synonyms(" bostøtte,, Husbanken , BOSTØTTE ,rent support")
    'bostøtte, Husbanken, rent support'
    """
    words: list[str] = []
    seen: set[str] = set()
    for word in text.split(","):
        word = " ".join(word.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
    return ", ".join(words)


@transaction.atomic
def service_create(
    *,
    municipality: Municipality,
    category: ServiceCategory,
    code: str,
    name_nb: str,
    name_en: str,
    domain: str,
    level: str,
    synonyms: str = "",
    answer_note: str = "",
    answer_note_en: str = "",
    is_active: bool = True,
) -> Service:
    """Create a service of ``municipality``'s own (not from the default catalogue).

    Raises :class:`ValidationError` when ``category`` belongs to another municipality, the
    code is already used in the municipality, or a field is invalid.
    """
    _check_category(municipality, category)
    service = Service(
        municipality=municipality,
        category=category,
        code=code,
        name_nb=name_nb.strip(),
        name_en=name_en.strip(),
        domain=domain,
        level=level,
        synonyms=normalise_synonyms(synonyms),
        answer_note=answer_note.strip(),
        answer_note_en=answer_note_en.strip(),
        is_active=is_active,
    )
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def service_update(*, service: Service, **changes: Any) -> Service:
    """Change the :data:`EDITABLE_FIELDS` of ``service`` (its code never changes, because
    imports and the default catalogue find services by code).

    Raises :class:`ValidationError` for an unknown or non-editable field, a category of
    another municipality, or an invalid value.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    if "category" in changes:
        _check_category(service.municipality, changes["category"])
    for key, value in changes.items():
        if key == "synonyms":
            value = normalise_synonyms(value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(service, key, value)
    # The code never changes here, so an older code that today's rule would refuse does
    # not stop a person from correcting the rest of the service.
    service.full_clean(exclude=["code"])
    service.save()
    return service


class RemovalOutcome(StrEnum):
    DELETED = "deleted"
    DEACTIVATED = "deactivated"


def service_remove(*, service: Service) -> RemovalOutcome:
    """Remove ``service`` from the catalogue.

    A service that inquiries use is deactivated, not deleted, so that the inquiry log keeps
    its meaning; so is a service from the default catalogue, which the next load would
    otherwise bring back. Any other service is deleted.
    """
    if service.default_digest or service.inquiries.exists():
        return _deactivate(service)
    try:
        with transaction.atomic():
            service.delete()
    except ProtectedError:  # an inquiry was recorded since the check above
        return _deactivate(service)
    return RemovalOutcome.DELETED


def _deactivate(service: Service) -> RemovalOutcome:
    if service.is_active:
        service.is_active = False
        service.save(update_fields=["is_active"])
    return RemovalOutcome.DEACTIVATED
