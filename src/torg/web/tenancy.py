"""The decorator every tenant page uses: it resolves ``<slug:municipality>`` from the URL
through :func:`torg.organisation.scoping.tenancy_for` (404 for non-members, 403 for a role
without the permission) and passes the :class:`Tenancy` to the view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, tenancy_for

TenantView = Callable[..., HttpResponseBase]


def tenant_view(
    permission: Permission = Permission.VIEW, *, every_site: bool = False
) -> Callable[[TenantView], Callable[..., HttpResponseBase]]:
    """Wrap ``view(request, tenancy, *args, **kwargs)`` for URLs with ``<slug:municipality>``.

    ``every_site``: the page works on all sites at once (a roster plans people across
    sites), so a member bound to some sites gets *403 Forbidden* with the reason."""

    def decorator(view: TenantView) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, municipality: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            tenancy: Tenancy = tenancy_for(request.user, municipality, permission)
            if every_site and tenancy.site_bound:
                raise PermissionDenied(
                    _(
                        "This page covers every site of the municipality, and your "
                        "membership is limited to some of them."
                    )
                )
            request.tenancy = tenancy  # type: ignore[attr-defined]
            return view(request, tenancy, *args, **kwargs)

        return wrapper

    return decorator
