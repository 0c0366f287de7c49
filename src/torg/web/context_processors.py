from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from torg.organisation.scoping import memberships_of


def torg(request: HttpRequest) -> dict[str, Any]:
    """The user's municipalities, for the switcher in the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": []}
    return {"my_memberships": list(memberships_of(user))}
