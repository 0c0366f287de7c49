"""The one way to reach tenant data: every query in a page, export, API endpoint or
command goes through :func:`tenancy_for` (who may act in which municipality) and
:func:`scoped` (the rows of that municipality).

A user who is not a member of a municipality gets *404 Not Found* for everything in it, so
that an outsider cannot even learn which objects exist; a member whose role lacks a
permission gets *403 Forbidden*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from torg.organisation.models import Membership, Municipality
from torg.organisation.roles import Permission, role_allows

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Tenancy:
    """A user acting in one municipality with one role."""

    municipality: Municipality
    role: str

    def allows(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Raise :class:`PermissionDenied` unless the role grants ``permission``."""
        if not self.allows(permission):
            raise PermissionDenied(f"Your role does not allow {permission.value}.")

    def scoped(self, model_or_queryset: type[M] | models.QuerySet[M]) -> models.QuerySet[M]:
        return scoped(model_or_queryset, self.municipality)


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
    tenancy = Tenancy(municipality=membership.municipality, role=membership.role)
    tenancy.require(permission)
    return tenancy


def scoped(
    model_or_queryset: type[M] | models.QuerySet[M], municipality: Municipality
) -> models.QuerySet[M]:
    """Return the rows of ``model_or_queryset`` that belong to ``municipality``.

    The model must have a ``municipality`` foreign key (every tenant model does); passing
    one without it raises :class:`TypeError` rather than silently returning everything.
    """
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
