"""How the API decides who may do what in which municipality.

Every endpoint under ``/api/v1/m/<slug:municipality>/`` resolves the caller's tenancy once
per request through :func:`torg.organisation.scoping.tenancy_for`, the same helper the pages
use: a user who is not a member of the municipality gets *404 Not Found* (an outsider cannot
even learn that it exists), a member whose role lacks the permission gets *403 Forbidden*.
Views then read only through :meth:`Tenancy.scoped`.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, tenancy_for


class TenantPermission(BasePermission):
    """Resolve ``view.tenancy`` from the URL's ``municipality`` and the caller's role.

    The view names what it needs: ``read_permission`` for safe methods (GET, HEAD,
    OPTIONS) and ``write_permission`` for the others. Raises ``Http404`` for non-members and
    ``PermissionDenied`` for a role without the permission; DRF turns them into 404 and 403.
    Anonymous callers are refused by ``IsAuthenticated`` first (the view lists it before
    this class), so they are asked to log in rather than told "not found".
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        tenant_view: TenantAPIMixin = view  # type: ignore[assignment]
        permission = (
            tenant_view.read_permission
            if request.method in SAFE_METHODS
            else tenant_view.write_permission
        )
        tenant_view.tenancy = tenancy_for(request.user, view.kwargs["municipality"], permission)
        return True


class TenantAPIMixin:
    """For views under ``/api/v1/m/<slug:municipality>/``: ``self.tenancy`` is the caller's
    :class:`Tenancy`, resolved once by :class:`TenantPermission` before any handler runs."""

    read_permission: Permission = Permission.VIEW
    write_permission: Permission = Permission.EDIT_ORGANISATION
    tenancy: Tenancy
    kwargs: dict[str, Any]

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()  # type: ignore[misc]
        # Absent only while drf-spectacular inspects the view to write the schema.
        context["tenancy"] = getattr(self, "tenancy", None)
        return context
