"""The decorator every tenant page uses: it resolves ``<slug:municipality>`` from the URL
through :func:`torg.organisation.scoping.tenancy_for` (404 for non-members, 403 for a role
without the permission) and passes the :class:`Tenancy` to the view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, tenancy_for

TenantView = Callable[..., HttpResponseBase]


def tenant_view(
    permission: Permission = Permission.VIEW,
) -> Callable[[TenantView], Callable[..., HttpResponseBase]]:
    """Wrap ``view(request, tenancy, *args, **kwargs)`` for URLs with ``<slug:municipality>``."""

    def decorator(view: TenantView) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, municipality: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            tenancy: Tenancy = tenancy_for(request.user, municipality, permission)
            request.tenancy = tenancy  # type: ignore[attr-defined]
            return view(request, tenancy, *args, **kwargs)

        return wrapper

    return decorator
