"""The home page (the user's municipalities), the municipality switcher and the dashboard."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from torg.organisation.models import Membership
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, memberships_of, tenancy_for
from torg.web.dashboard import build_dashboard
from torg.web.forms import PeriodForm
from torg.web.tenancy import tenant_view

#: The session key that remembers the municipality the user last worked in.
CURRENT_MUNICIPALITY = "torg_current_municipality"

COUNTRY_NAMES = {
    "NO": gettext_lazy("Norway"),
    "IT": gettext_lazy("Italy"),
    "CA": gettext_lazy("Canada"),
    "GB": gettext_lazy("United Kingdom"),
    "SE": gettext_lazy("Sweden"),
    "US": gettext_lazy("United States"),
}


def _country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The user's municipalities, grouped by country; straight to the dashboard when there
    is exactly one. ``?q=`` filters by name or number (also done live in the browser)."""
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("dashboard:index", municipality=memberships[0].municipality.slug)
    query = request.GET.get("q", "").strip()
    shown = [
        m
        for m in memberships
        if not query
        or query.casefold() in m.municipality.name.casefold()
        or query in m.municipality.number
    ]
    groups: dict[str, list[Membership]] = defaultdict(list)
    for membership in shown:
        groups[membership.municipality.country].append(membership)
    countries = sorted(
        ((code, _country_name(code), rows) for code, rows in groups.items()),
        key=lambda group: (group[0] != "NO", group[1]),
    )
    return render(
        request,
        "web/home.html",
        {
            "countries": countries,
            "query": query,
            "membership_count": len(memberships),
            "shown_count": len(shown),
            "show_filter": len(memberships) > 8,
            "nav": "home",
        },
    )


@login_required
@require_safe
def switch_municipality(request: HttpRequest) -> HttpResponse:
    """Go to the dashboard of the municipality chosen in the header's switcher (404 for a
    municipality the user does not belong to, as everywhere)."""
    slug = request.GET.get("municipality", "").strip()
    if not slug:
        return redirect("web:home")
    tenancy = tenancy_for(request.user, slug, Permission.VIEW)
    return redirect("dashboard:index", municipality=tenancy.municipality.slug)


@tenant_view(Permission.VIEW)
@require_safe
def dashboard(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Headline figures and charts of one municipality, for an optional range of local days.
    An invalid range (a day outside the accepted calendar, the last before the first) is
    answered with 400 and the form's errors, and no figures."""
    request.session[CURRENT_MUNICIPALITY] = tenancy.municipality.slug
    form = PeriodForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    period = form.period()
    return render(
        request,
        "web/dashboard.html",
        {
            "municipality": tenancy.municipality,
            "form": form,
            "period": period,
            "dashboard": None if invalid else build_dashboard(tenancy, period),
            "nav": "dashboard",
            "page_title": _("Dashboard"),
        },
        status=400 if invalid else 200,
    )
