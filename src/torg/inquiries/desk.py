"""The desk page: log an inquiry in two taps, see and correct one's last entries.

Works as a plain HTML form (POST, then redirect back with the selections kept in the
session for "Save"). The page's script (``static/inquiries/desk.js``) enhances it: it sends
each entry with ``fetch`` and ``Accept: application/json`` to the same URL with a fresh
client key (``crypto.randomUUID``), keeps entries in ``localStorage`` while the network is
down and sends them when it is back; the key makes every retry harmless
(:func:`torg.inquiries.services.inquiry_record`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from torg.catalogue.models import Service
from torg.catalogue.search import fold
from torg.inquiries.forms import CorrectionForm, DeskForm
from torg.inquiries.models import Inquiry, Outcome
from torg.inquiries.selectors import desk_choices, desk_recent_inquiries, desk_top_services
from torg.inquiries.services import (
    CORRECTABLE_FIELDS,
    Recorded,
    inquiry_correct,
    inquiry_delete,
    inquiry_may_change,
    inquiry_record,
    inquiry_snapshot,
)
from torg.lib.pii import ScrubResult
from torg.organisation.models import ServicePoint, Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.referrals.models import Referral, ReferralStatus
from torg.web.tenancy import tenant_view

_SESSION_PLACE = "torg-desk-place"
_SESSION_KEPT = "torg-desk-kept"

#: READ scale levels with an example from a library desk and one from a municipal desk
#: (Gerlich & Berard, "Introducing the READ Scale", Library Philosophy and Practice, 2007;
#: the municipal examples are Torg's own, by analogy).
READ_EXAMPLES = [
    (1, gettext_lazy("Where are the toilets?"), gettext_lazy("Where do I hand in this form?")),
    (
        2,
        gettext_lazy("How do I renew my loans or print a page?"),
        gettext_lazy("Which form do I need for a parking permit?"),
    ),
    (
        3,
        gettext_lazy("Help finding a book by an author, or logging in to the e-book app"),
        gettext_lazy("Help filling in a digital application, e.g. for a school place"),
    ),
    (
        4,
        gettext_lazy("Finding sources on a topic for a school assignment"),
        gettext_lazy("Explaining the housing allowance rules and helping to apply"),
    ),
    (
        5,
        gettext_lazy("Searching several databases or archives, e.g. family history"),
        gettext_lazy("A building question that needs rules from several departments"),
    ),
    (
        6,
        gettext_lazy("In-depth research or a consultation by a specialist"),
        gettext_lazy("A complex case that needs a caseworker"),
    ),
]


def removed_message(result: ScrubResult | None) -> str:
    """'Removed from the note: 1 phone number, 2 e-mail addresses.' or '' when nothing was
    removed."""
    if result is None:
        return ""
    counts = result.counts()
    parts = []
    for kind, count in counts.items():
        if kind == "national_id":
            text = ngettext(
                "%(count)d national identity number", "%(count)d national identity numbers", count
            )
        elif kind == "d_number":
            text = ngettext("%(count)d D-number", "%(count)d D-numbers", count)
        elif kind == "phone":
            text = ngettext("%(count)d phone number", "%(count)d phone numbers", count)
        elif kind == "email":
            text = ngettext("%(count)d e-mail address", "%(count)d e-mail addresses", count)
        elif kind == "bank_account":
            text = ngettext(
                "%(count)d bank account number", "%(count)d bank account numbers", count
            )
        elif kind == "postal_address":
            text = ngettext("%(count)d postal address", "%(count)d postal addresses", count)
        else:
            text = ngettext("%(count)d other identifier", "%(count)d other identifiers", count)
        parts.append(text % {"count": count})
    if not parts:
        return ""
    return _("Removed from the note: %(list)s.") % {"list": ", ".join(parts)}


def referral_url(tenancy: Tenancy, inquiry: Inquiry) -> str | None:
    """The "Refer to a team" link (the referral form, ``referrals:create``) for an inquiry
    referred within the municipality; ``None`` for any other outcome."""
    if inquiry.outcome != Outcome.REFERRED_INTERNAL:
        return None
    url = reverse("referrals:create", args=[tenancy.municipality.slug])
    return f"{url}?{urlencode({'inquiry': inquiry.pk})}"


#: Ranks of a service in the desk's service search, best first (see :func:`search_rank`).
RANK_NAME_FIRST_WORD = 0
RANK_NAME_WORD = 1
RANK_NAME_START = 2
RANK_NAME_WORD_START = 3
RANK_SYNONYM = 4
RANK_OTHER = 5


def search_rank(query: str, *, name: str, synonyms: str, search: str) -> int | None:
    """Where the desk's service search ranks a service for ``query``, or ``None`` when the
    service does not match (some word of the query is in none of its texts).

    All strings are folded with :func:`torg.catalogue.search.fold` (``name`` is the
    service's name in the page's language, ``synonyms`` its synonyms, ``search`` every text
    searched: both names and the synonyms). Ranks, best first: 0 the whole query is the
    first word(s) of the name ("waste" → "Waste collection"); 1 it is a word (or words)
    elsewhere in the name ("Recycling centres and bulky waste"); 2 the name starts with the
    query; 3 a word of the name starts with it; 4 every query word is in the synonyms; 5 any
    other match (e.g. only the other language's name). Ties are broken by the folded name
    (:func:`search_order`). ``static/inquiries/desk.js`` (``TorgDeskSearch.rank``) is the
    same function for the page; the tests run both on the default catalogue.
    """
    tokens = query.split()
    if not tokens or not all(token in search for token in tokens):
        return None
    whole = " ".join(tokens)
    padded = f" {name} "
    if padded.startswith(f" {whole} "):
        return RANK_NAME_FIRST_WORD
    if f" {whole} " in padded:
        return RANK_NAME_WORD
    if name.startswith(whole):
        return RANK_NAME_START
    if f" {whole}" in padded:
        return RANK_NAME_WORD_START
    if all(token in synonyms for token in tokens):
        return RANK_SYNONYM
    return RANK_OTHER


def search_order(query: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of :func:`_service_rows` that match the typed ``query``, best first (by
    :func:`search_rank`, then by name): the order the page shows and Enter picks from."""
    folded = fold(query)
    ranked = []
    for row in rows:
        rank = search_rank(folded, name=row["name"], synonyms=row["synonyms"], search=row["search"])
        if rank is not None:
            ranked.append((rank, row["name"], row))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [row for _rank, _name, row in ranked]


def latest_referral(tenancy: Tenancy, inquiry: Inquiry) -> Referral | None:
    """The newest referral of ``inquiry`` (with its team), or ``None``."""
    return (
        tenancy.scoped(Referral)
        .filter(inquiry=inquiry)
        .select_related("to_team")
        .order_by("-created_at", "-pk")
        .first()
    )


def may_refer_again(referral: Referral | None) -> bool:
    """Whether the desk offers "Refer to a team": no referral yet, or the last one was
    declined or returned (an open or completed one is shown instead)."""
    return referral is None or referral.status in (
        ReferralStatus.DECLINED,
        ReferralStatus.RETURNED,
    )


def _user(request: HttpRequest) -> User:
    """The logged-in user (every view here is behind :func:`tenant_view`, which requires
    a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _place_value(site: Site, point: ServicePoint | None) -> str:
    return f"{site.pk}-{point.pk}" if point is not None else str(site.pk)


def _chosen_place(
    request: HttpRequest, choices: list[tuple[Site, list[ServicePoint]]]
) -> tuple[Site, ServicePoint | None] | None:
    """The desk chosen by ``?desk=<site>[-<point>]``, else the one remembered in the
    session, else the only one there is."""
    places: dict[str, tuple[Site, ServicePoint | None]] = {}
    for site, points in choices:
        places[_place_value(site, None)] = (site, None)
        for point in points:
            places[_place_value(site, point)] = (site, point)
    key = request.session.get(_SESSION_PLACE, {}).get(str(request.tenancy.municipality.pk))  # type: ignore[attr-defined]
    wanted = request.GET.get("desk") or request.POST.get("desk") or key
    if wanted in places:
        return places[wanted]
    everything = [place for place in places.values() if place[1] is not None]
    if len(everything) == 1:
        return everything[0]
    return None


def _remember_place(request: HttpRequest, tenancy: Tenancy, value: str) -> None:
    remembered = dict(request.session.get(_SESSION_PLACE, {}))
    remembered[str(tenancy.municipality.pk)] = value
    request.session[_SESSION_PLACE] = remembered


def _service_rows(tenancy: Tenancy) -> list[dict[str, Any]]:
    """The active services in catalogue order, each with its folded texts for the search:
    ``name`` (in the page's language), ``synonyms``, ``search`` (both names and synonyms)
    and ``note_search`` (also the answer notes)."""
    english = (get_language() or "nb").startswith("en")
    rows = []
    for service in (
        tenancy.scoped(Service)
        .filter(is_active=True)
        .select_related("category")
        .order_by("category__position", "category__name_nb", "name_nb", "pk")
    ):
        rows.append(
            {
                "service": service,
                "name": fold(service.name_en if english else service.name_nb),
                "synonyms": fold(service.synonyms),
                "search": fold(
                    " ".join([service.name_nb, service.name_en, service.synonyms.replace(",", " ")])
                ),
                "note_search": fold(
                    " ".join(
                        [
                            service.name_nb,
                            service.name_en,
                            service.synonyms,
                            service.answer_note,
                            service.answer_note_en,
                        ]
                    )
                ),
            }
        )
    return rows


def _saved_message(recorded: Recorded) -> str:
    saved = _("Saved.") if recorded.created else _("Already saved.")
    removed = removed_message(recorded.scrub)
    return f"{saved} {removed}".strip()


@tenant_view(Permission.RECORD_INQUIRIES)
@require_http_methods(["GET", "POST"])
def desk_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """GET: the desk form for the chosen desk. POST: record one inquiry; JSON in and out
    when the request accepts ``application/json`` (201 new, 200 already saved under this
    client key, 400 with ``errors`` by field)."""
    now = timezone.now()
    choices = desk_choices(tenancy)
    place = _chosen_place(request, choices)
    if place is not None and request.method == "GET":
        _remember_place(request, tenancy, _place_value(*place))
    kept: dict[str, Any] = request.session.get(_SESSION_KEPT, {}).get(
        str(tenancy.municipality.pk), {}
    )
    if request.method == "POST":
        form = DeskForm(request.POST, tenancy=tenancy, now=now)
        recorded = _record(request, tenancy, form, now)
        if recorded is not None:
            message = _saved_message(recorded)
            if _wants_json(request):
                return JsonResponse(
                    {
                        "id": recorded.inquiry.pk,
                        "created": recorded.created,
                        "message": message,
                        "removed": recorded.scrub.counts() if recorded.scrub else {},
                        "referral_url": referral_url(tenancy, recorded.inquiry),
                    },
                    status=201 if recorded.created else 200,
                )
            messages.success(request, message)
            everything = dict(request.session.get(_SESSION_KEPT, {}))
            everything[str(tenancy.municipality.pk)] = (
                form.kept_selection() if request.POST.get("action") != "clear" else {}
            )
            request.session[_SESSION_KEPT] = everything
            inquiry = recorded.inquiry
            target = reverse("inquiries:desk", args=[tenancy.municipality.slug])
            return redirect(
                f"{target}?{urlencode({'desk': _place_value(inquiry.site, inquiry.service_point)})}"
            )
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        status = 400
    else:
        initial = {"channel": "in_person", "outcome": Outcome.RESOLVED, **kept}
        if place is not None:
            initial.update(site=place[0].pk, service_point=place[1].pk if place[1] else None)
        initial["client_key"] = str(uuid.uuid4())
        form = DeskForm(initial=initial, tenancy=tenancy, now=now)
        status = 200
    return render(
        request,
        "inquiries/desk.html",
        _desk_context(request, tenancy, form, place, choices, now),
        status=status,
    )


def _record(
    request: HttpRequest, tenancy: Tenancy, form: DeskForm, now: dt.datetime
) -> Recorded | None:
    if not form.is_valid():
        return None
    try:
        return inquiry_record(
            tenancy=tenancy,
            user=_user(request),
            now=now,
            **form.record_arguments(),
        )
    except ValidationError as error:
        _add_errors(form, error)
        return None


def _add_errors(form: DeskForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def _desk_context(
    request: HttpRequest,
    tenancy: Tenancy,
    form: DeskForm,
    place: tuple[Site, ServicePoint | None] | None,
    choices: list[tuple[Site, list[ServicePoint]]],
    now: dt.datetime,
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "nav": "desk",
        "form": form,
        "place": place,
        "place_value": _place_value(*place) if place else "",
        "choices": choices,
        "read_examples": READ_EXAMPLES,
        "services": _service_rows(tenancy),
        "top_services": [],
        "top_ids": set(),
        "recent": [],
        "desk_messages": {
            "waiting_one": _("1 entry is waiting to be sent."),
            "waiting_many": _("%(count)s entries are waiting to be sent."),
            "offline": _(
                "No connection: the entry is kept on this device and will be sent when the "
                "network is back."
            ),
            "found": _("%(count)s found."),
            "sent_one": _("1 entry sent."),
            "sent_many": _("%(count)s entries sent."),
            "refused": _("An entry kept on this device was refused by the server:"),
            "discard": _("Discard it"),
            "refer": _("Refer to a team"),
        },
    }
    if place is not None:
        site, point = place
        context["top_services"] = desk_top_services(
            tenancy, site=site, service_point=point, now=now
        )
        context["top_ids"] = {service.pk for service in context["top_services"]}
        inquiries = desk_recent_inquiries(
            tenancy, user=_user(request), service_point=point, site=site
        )
        referrals: dict[int, Referral] = {}
        for referral in (
            tenancy.scoped(Referral)
            .filter(inquiry__in=[inquiry.pk for inquiry in inquiries])
            .select_related("to_team")
            .order_by("created_at", "pk")
        ):
            referrals[referral.inquiry_id] = referral  # the newest wins
        context["recent"] = [
            {
                "inquiry": inquiry,
                "may_change": inquiry_may_change(
                    tenancy=tenancy,
                    user=_user(request),
                    inquiry=inquiry,
                    now=now,
                ),
                "referral": referrals.get(inquiry.pk),
                "referral_url": (
                    referral_url(tenancy, inquiry)
                    if may_refer_again(referrals.get(inquiry.pk))
                    else None
                ),
            }
            for inquiry in inquiries
        ]
    return context


def _changeable(request: HttpRequest, tenancy: Tenancy, pk: int) -> Inquiry:
    inquiry = get_object_or_404(
        tenancy.scoped(Inquiry).select_related("site", "service_point", "service"), pk=pk
    )
    if not inquiry_may_change(tenancy=tenancy, user=_user(request), inquiry=inquiry):
        raise PermissionDenied(_("You may no longer change this inquiry."))
    return inquiry


def _back_to_desk(tenancy: Tenancy, inquiry_site: Site, point: ServicePoint | None) -> str:
    target = reverse("inquiries:desk", args=[tenancy.municipality.slug])
    return f"{target}?{urlencode({'desk': _place_value(inquiry_site, point)})}"


@tenant_view(Permission.RECORD_INQUIRIES)
@require_http_methods(["GET", "POST"])
def inquiry_correct_page(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Correct one inquiry (own ones within the edit window; managers any)."""
    inquiry = _changeable(request, tenancy, pk)
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST, tenancy=tenancy, now=now)
        if form.is_valid():
            changes = {name: form.cleaned_data.get(name) for name in CORRECTABLE_FIELDS}
            for name in ("user_type", "age_group", "language", "duration_band", "note"):
                changes[name] = changes[name] or ""
            # The form shows minutes only: the same minute means "unchanged", which keeps
            # the seconds the inquiry was recorded with.
            given = changes.get("occurred_at")
            if given is not None and given == inquiry.occurred_at.replace(second=0, microsecond=0):
                changes["occurred_at"] = inquiry.occurred_at
            before = inquiry_snapshot(inquiry)
            try:
                _inquiry, scrubbed = inquiry_correct(
                    tenancy=tenancy,
                    user=_user(request),
                    inquiry=inquiry,
                    changes=changes,
                    now=now,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if inquiry_snapshot(inquiry) == before:
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(
                        request, f"{_('Corrected.')} {removed_message(scrubbed)}".strip()
                    )
                return redirect(_back_to_desk(tenancy, inquiry.site, inquiry.service_point))
        status = 400
    else:
        local = timezone.localtime(inquiry.occurred_at, inquiry.site.zone)
        form = CorrectionForm(
            initial={
                **{name: getattr(inquiry, name) for name in CORRECTABLE_FIELDS},
                "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
                "when": DeskForm.WHEN_LATE,
            },
            tenancy=tenancy,
            now=now,
        )
    return render(
        request,
        "inquiries/correct.html",
        {"nav": "desk", "form": form, "inquiry": inquiry, "read_examples": READ_EXAMPLES},
        status=status,
    )


@tenant_view(Permission.RECORD_INQUIRIES)
@require_http_methods(["GET", "POST"])
def inquiry_delete_page(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Ask, then delete one inquiry (kept as a snapshot in the audit log)."""
    inquiry = _changeable(request, tenancy, pk)
    error = ""
    if request.method == "POST":
        site, point = inquiry.site, inquiry.service_point
        try:
            inquiry_delete(tenancy=tenancy, user=_user(request), inquiry=inquiry)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The inquiry was deleted."))
            return redirect(_back_to_desk(tenancy, site, point))
    return render(
        request,
        "inquiries/delete.html",
        {"nav": "desk", "inquiry": inquiry, "error": error},
        status=400 if error else 200,
    )
