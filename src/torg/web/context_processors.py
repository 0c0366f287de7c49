from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, memberships_of

#: Marks a menu entry whose pages need a member who sees every site (``tenant_view``'s
#: ``every_site``): a member bound to some sites would only get 403 there.
EVERY_SITE = "every_site"

# (url name, label, key used for aria-current[, permission needed to see it][, EVERY_SITE]).
# Pages of one municipality, in menu order.
TENANT_NAV: list[tuple[Any, ...]] = [
    ("dashboard:index", _("Dashboard"), "dashboard"),
    ("inquiries:desk", _("Desk"), "desk", Permission.RECORD_INQUIRIES),
    ("visits:list", _("Visits"), "visits"),
    ("visits:events", _("Events"), "events"),
    ("inquiries:list", _("Inquiries"), "inquiries"),
    ("referrals:queue", _("Queue"), "queue"),
    ("inquiries:statistics", _("Desk statistics"), "statistics"),
    ("organisation:sites", _("Sites"), "sites"),
    ("catalogue:list", _("Service catalogue"), "catalogue"),
    ("imports:list", _("Imports"), "imports"),
    ("surveys:list", _("Surveys"), "surveys", Permission.ANALYSE_SURVEYS),
    ("rosters:list", _("Rosters"), "rosters", EVERY_SITE),
    ("evaluation:index", _("Evaluation"), "evaluation", Permission.EXPORT, EVERY_SITE),
]


def torg(request: HttpRequest) -> dict[str, Any]:
    """The user's municipalities (for the switcher) and the menu of the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_memberships": [], "tenant_nav": [], "national_url": ""}
    tenancy = getattr(request, "tenancy", None)
    nav = []
    if tenancy is not None:
        for name, label, key, *needs in TENANT_NAV:
            if EVERY_SITE in needs and tenancy.site_bound:
                continue
            permissions = [need for need in needs if isinstance(need, Permission)]
            if permissions and not tenancy.allows(permissions[0]):
                continue
            try:
                nav.append(
                    {
                        "url": reverse(name, args=[tenancy.municipality.slug]),
                        "label": label,
                        "key": key,
                    }
                )
            except NoReverseMatch:
                continue
    return {
        "my_memberships": list(memberships_of(user)),
        "tenancy": tenancy,
        "tenant_nav": nav,
        "national_url": _national_url(tenancy),
    }


def _national_url(tenancy: Tenancy | None) -> str:
    """The national comparison, opened on the current municipality when it is Norwegian."""
    try:
        url = reverse("national:comparison")
    except NoReverseMatch:
        return "#"
    if tenancy is not None and tenancy.municipality.country == "NO":
        return f"{url}?{urlencode({'municipality': tenancy.municipality.number})}"
    return url
