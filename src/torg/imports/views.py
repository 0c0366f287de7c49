"""The imports history of a municipality: every file imported into it, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from torg.imports.registry import all_profiles
from torg.imports.selectors import import_history
from torg.lib.params import page_number
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.tenancy import tenant_view

PAGE_SIZE = 50


@tenant_view(Permission.VIEW)
@require_safe
def import_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """``/m/<slug>/imports/``: the municipality's imports (:func:`import_history`: its own
    and the shared ones that wrote rows into it) with profile, file, when, rows
    read/created/updated/unchanged/skipped and, for its own, by whom; newest first, 50 a
    page. Of a shared import nothing but its file name, profile, time and figures is shown,
    and the page says that the figures cover all the municipalities it wrote to."""
    batches = import_history(tenancy)
    page = Paginator(batches, PAGE_SIZE).get_page(page_number(request.GET.get("page")))
    # Profile titles are marked with gettext_noop (the command line lists them in English).
    titles = {profile.name: gettext(profile.title) for profile in all_profiles()}
    for batch in page.object_list:
        batch.profile_title = titles.get(batch.profile, "")  # type: ignore[attr-defined]
    any_shared = any(batch.is_shared for batch in page.object_list)  # type: ignore[attr-defined]
    return render(
        request,
        "imports/list.html",
        {
            "municipality": tenancy.municipality,
            "page": page,
            "nav": "imports",
            "any_shared": any_shared,
        },
    )
