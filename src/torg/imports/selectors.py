"""The imports a municipality sees on its history page."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from torg.imports.models import ImportBatch
from torg.inquiries.models import Inquiry
from torg.organisation.scoping import Tenancy
from torg.visits.models import Event, VisitCount

# The tenant models whose rows remember the import that wrote them last.
IMPORTED_MODELS = (VisitCount, Event, Inquiry)


def import_history(tenancy: Tenancy) -> QuerySet[ImportBatch]:
    """The imports of ``tenancy``'s municipality, newest first: its own (``municipality``
    set to it), and the *shared* imports of routed profiles (stored with no municipality,
    such as ``england-ace-*``) that wrote rows into it, found through the ``import_batch``
    of its own visit counts, events and inquiries. Each batch has ``is_shared``.

    A shared batch's row figures cover every municipality it wrote to. A shared import
    whose rows here were all replaced by a later import (which then holds the rows) is not
    listed. National reference imports (``nb-folkebibliotek-2020``) write no tenant rows
    and are not listed.
    """
    wrote_here = Q()
    for model in IMPORTED_MODELS:
        wrote_here |= Q(
            pk__in=tenancy.scoped(model)
            .filter(import_batch__municipality__isnull=True)
            .values("import_batch_id")
        )
    return (
        ImportBatch.objects.filter(Q(municipality=tenancy.municipality) | wrote_here)
        .annotate(
            is_shared=Case(
                When(municipality__isnull=True, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("created_by")
        .order_by("-finished_at", "-pk")
    )
