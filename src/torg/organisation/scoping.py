"""The one way to reach tenant data: every query in a page, export, API endpoint or
command goes through :func:`tenancy_for` (who may act in which municipality) and
:func:`scoped` (the rows of that municipality).

A user who is not a member of a municipality gets *404 Not Found* for everything in it, so
that an outsider cannot even learn which objects exist; a member whose role lacks a
permission gets *403 Forbidden*.

Within a municipality, a desk staff or manager membership may be bound to some of its sites
(:attr:`Membership.sites <torg.organisation.models.Membership.sites>`). Then
:meth:`Tenancy.scoped` also keeps only the rows of those sites, for every model that belongs
to a site: a ``site`` foreign key (rows without a site, such as an event for the whole
municipality, stay visible), the :class:`Site` itself, or the path a model names in its
``site_scope`` attribute (``"inquiry__site"`` for an inquiry's audit trail). A row of
another site is as invisible as a row of another municipality: 404, never 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from torg.organisation.models import Membership, Municipality, Site
from torg.organisation.roles import Permission, role_allows

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Tenancy:
    """A user acting in one municipality with one role."""

    municipality: Municipality
    role: str
    #: The sites the member is bound to; ``None`` for every site of the municipality.
    site_ids: frozenset[int] | None = None

    @property
    def site_bound(self) -> bool:
        """Whether the member sees only some of the municipality's sites."""
        return self.site_ids is not None

    def covers_site(self, site: Site | int | None) -> bool:
        """Whether ``site`` (a site or its id) is one the member may see and act in.
        ``None`` (no site) is covered only for a member who sees every site."""
        if self.site_ids is None:
            return True
        if site is None:
            return False
        return (site if isinstance(site, int) else site.pk) in self.site_ids

    def allows(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Raise :class:`PermissionDenied` unless the role grants ``permission``."""
        if not self.allows(permission):
            raise PermissionDenied(f"Your role does not allow {permission.value}.")

    def scoped(self, model_or_queryset: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
        """The rows of the municipality, narrowed to the member's sites (see the module)."""
        rows = scoped(model_or_queryset, self.municipality)
        if self.site_ids is None:
            return rows
        lookup = site_lookup(rows.model)
        if lookup is None:
            return rows
        path, nullable = lookup
        condition = models.Q(**{f"{path}__in": self.site_ids})
        if nullable:
            condition |= models.Q(**{f"{path}__isnull": True})
        return rows.filter(condition)


#: What tenant reads are scoped by: a whole municipality (commands, imports, the demo) or a
#: member's :class:`Tenancy` (pages, exports, the API), which may narrow it to some sites.
Scope = Municipality | Tenancy


def municipality_of(scope: Scope) -> Municipality:
    """The municipality of ``scope`` (a municipality itself, or a member's tenancy)."""
    return scope.municipality if isinstance(scope, Tenancy) else scope


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> models.QuerySet[Membership]:
    """The memberships of ``user``, with their municipality, ordered by municipality name."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("municipality")
        .order_by("municipality__name")
    )


def tenancy_for(
    user: AbstractBaseUser | AnonymousUser,
    municipality_slug: str,
    permission: Permission = Permission.VIEW,
) -> Tenancy:
    """Return the user's tenancy in the municipality named by ``municipality_slug``.

    Raises :class:`Http404` when the user is not a member (or the municipality does not
    exist: the two cases are indistinguishable on purpose) and :class:`PermissionDenied`
    when the member's role lacks ``permission``.
    """
    if not user.is_authenticated:
        raise Http404("No such municipality.")
    membership = (
        Membership.objects.filter(user_id=user.pk, municipality__slug=municipality_slug)
        .select_related("municipality")
        .first()
    )
    if membership is None:
        raise Http404("No such municipality.")
    tenancy = Tenancy(
        municipality=membership.municipality,
        role=membership.role,
        site_ids=membership.site_ids(),
    )
    tenancy.require(permission)
    return tenancy


def site_lookup(model: type[models.Model]) -> tuple[str, bool] | None:
    """How rows of ``model`` reach their site: ``(lookup path, whether it may be null)``,
    or ``None`` for a model that does not belong to one site (a team, a referral)."""
    if model is Site:
        return ("pk", False)
    declared = getattr(model, "site_scope", None)
    if isinstance(declared, str):
        return (declared, False)
    try:
        field = model._meta.get_field("site")
    except Exception:
        return None
    if getattr(field, "related_model", None) is not Site:
        return None
    return ("site", bool(getattr(field, "null", False)))


def scoped(
    model_or_queryset: type[M] | models.QuerySet[M], municipality: Municipality | Tenancy
) -> models.QuerySet[M]:
    """Return the rows of ``model_or_queryset`` that belong to ``municipality``; given a
    :class:`Tenancy`, also narrowed to the member's sites (:meth:`Tenancy.scoped`).

    The model must have a ``municipality`` foreign key (every tenant model does); passing
    one without it raises :class:`TypeError` rather than silently returning everything.
    """
    if isinstance(municipality, Tenancy):
        return municipality.scoped(model_or_queryset)
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    model = queryset.model
    if model is Municipality:
        return queryset.filter(pk=municipality.pk)
    try:
        model._meta.get_field("municipality")
    except Exception as error:
        raise TypeError(
            f"{model.__name__} is not a tenant model (no municipality field)."
        ) from error
    return queryset.filter(municipality=municipality)


def is_tenant_model(model: type[models.Model]) -> bool:
    """Whether rows of ``model`` belong to a municipality (used by the tenancy tests)."""
    return any(
        getattr(field, "related_model", None) is Municipality and field.name == "municipality"
        for field in model._meta.get_fields()
    )
