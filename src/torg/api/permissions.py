"""How the API decides who may do what in which municipality.

Every endpoint under ``/api/v1/m/<slug:municipality>/`` resolves the caller's tenancy once
per request through :func:`torg.organisation.scoping.tenancy_for`, the same helper the pages
use: a user who is not a member of the municipality gets *404 Not Found* (an outsider cannot
even learn that it exists), a member whose role lacks the permission gets *403 Forbidden*.
Views then read only through :meth:`Tenancy.scoped`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from torg.api.models import ApiToken
from torg.api.tokens import ApiTokenAuthentication, token_allows
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, tenancy_for


class TenantPermission(BasePermission):
    """Resolve ``view.tenancy`` from the URL's ``municipality`` and the caller's role.

    The view names what it needs: ``read_permission`` for safe methods (GET, HEAD,
    OPTIONS) and ``write_permission`` for the others. Raises ``Http404`` for non-members and
    ``PermissionDenied`` for a role without the permission; DRF turns them into 404 and 403.
    Anonymous callers are refused by ``IsAuthenticated`` first (the view lists it before
    this class), so they are asked to log in rather than told "not found". The messages
    are in the caller's language and name no model.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        tenant_view: TenantAPIMixin = view  # type: ignore[assignment]
        permission = (
            tenant_view.read_permission
            if request.method in SAFE_METHODS
            else tenant_view.write_permission
        )
        if isinstance(request.auth, ApiToken):
            refused = token_allows(
                request.auth,
                municipality_slug=view.kwargs["municipality"],
                basename=getattr(view, "basename", None) or getattr(view, "endpoint_name", None),
                write=request.method not in SAFE_METHODS,
            )
            if refused == "municipality":
                raise exceptions.NotFound(_("No such municipality."))
            if refused == "scope":
                raise exceptions.PermissionDenied(_("This token's scopes do not allow this."))
        try:
            tenant_view.tenancy = tenancy_for(request.user, view.kwargs["municipality"], permission)
        except Http404 as error:
            raise exceptions.NotFound(_("No such municipality.")) from error
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(
                _("Your role in this municipality does not allow this.")
            ) from error
        return True


#: Token first: a script without valid credentials gets *401 Unauthorized* with
#: ``WWW-Authenticate: Token`` (DRF answers 401 only when the first class names a scheme;
#: session authentication has none, so it would be 403). Browsers still use their session.
#: Municipality tokens (``Bearer``, :mod:`torg.api.tokens`) come next.
AUTHENTICATION_CLASSES: Sequence[type[BaseAuthentication]] = [
    TokenAuthentication,
    ApiTokenAuthentication,
    SessionAuthentication,
]


class TenantAPIMixin:
    """For views under ``/api/v1/m/<slug:municipality>/``: ``self.tenancy`` is the caller's
    :class:`Tenancy`, resolved once by :class:`TenantPermission` before any handler runs."""

    authentication_classes: Sequence[type[BaseAuthentication]] = AUTHENTICATION_CLASSES
    read_permission: Permission = Permission.VIEW
    write_permission: Permission = Permission.EDIT_ORGANISATION
    tenancy: Tenancy
    kwargs: dict[str, Any]

    def get_object(self) -> Any:
        """The object named by the URL among the tenant's rows; "not found" in the caller's
        language, without the model's class name that DRF would put in the message."""
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404 as error:
            raise exceptions.NotFound(_("Nothing with this id in this municipality.")) from error

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()  # type: ignore[misc]
        # Absent only while drf-spectacular inspects the view to write the schema.
        context["tenancy"] = getattr(self, "tenancy", None)
        return context
