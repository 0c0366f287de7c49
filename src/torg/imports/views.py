"""The imports history of a municipality: every file imported into it, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from torg.imports.models import ImportBatch
from torg.imports.registry import all_profiles
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.tenancy import tenant_view

PAGE_SIZE = 50


@tenant_view(Permission.VIEW)
def import_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """``/m/<slug>/imports/``: the municipality's :class:`ImportBatch` rows (profile, file,
    when, rows read/created/updated/unchanged/skipped, by whom), newest first, 50 a page.
    National reference imports belong to no municipality and are not listed."""
    batches = (
        tenancy.scoped(ImportBatch).select_related("created_by").order_by("-finished_at", "-pk")
    )
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    # Profile titles are marked with gettext_noop (the command line lists them in English).
    titles = {profile.name: gettext(profile.title) for profile in all_profiles()}
    for batch in page.object_list:
        batch.profile_title = titles.get(batch.profile, "")  # type: ignore[attr-defined]
    return render(
        request,
        "imports/list.html",
        {"municipality": tenancy.municipality, "page": page, "nav": "imports"},
    )
