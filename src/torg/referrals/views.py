"""The queue pages: a person's queue (their teams' referrals and digital inquiries, with
the service-level clock and the actions they may take), the create-referral page opened
from an inquiry, and the team admin for managers and administrators.

Every action is a POST form with CSRF protection; after it the page redirects back to the
queue (303) with a message. A refused step (another person's item, a transition the status
does not allow) is reported as a message, a role without the right gets 403, and an id of
another municipality 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from torg.inquiries.models import Inquiry
from torg.organisation.scoping import Tenancy
from torg.referrals import rules, services
from torg.referrals.forms import CompleteForm, QueueFilterForm, ReferralForm, TeamForm, TriageForm
from torg.referrals.models import DigitalInquiry, ReferralOutcome, ReferralStatus, Team
from torg.referrals.selectors import (
    queue_for,
    team_get,
    team_list,
    visible_digital_inquiries,
    visible_referrals,
)
from torg.web.tenancy import tenant_view

PII_LABELS = {
    "email": lambda n: ngettext("%(count)d e-mail address", "%(count)d e-mail addresses", n),
}


def removed_message(removed: dict[str, int]) -> str:
    """ "Removed from the note: 1 e-mail address." in the user's language; empty if none."""
    if not removed:
        return ""
    parts = []
    for kind, count in sorted(removed.items()):
        label = PII_LABELS.get(kind)
        text = label(count) % {"count": count} if label else f"{count} × {kind}"
        parts.append(text)
    return _("Personal data removed from the text: %(items)s.") % {"items": ", ".join(parts)}


class _Redirect303(HttpResponseRedirect):
    status_code = 303


def _queue_url(tenancy: Tenancy) -> str:
    return reverse("referrals:queue", args=[tenancy.municipality.slug])


def _run(request: HttpRequest, step: Callable[[], Any], success: str) -> None:
    try:
        step()
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, success)


@tenant_view()
@require_safe
def queue_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The queue of the logged-in person, oldest first, filterable by status and team."""
    form = QueueFilterForm(request.GET or None, tenancy=tenancy, user=request.user)  # type: ignore[arg-type]
    status, team = "open", None
    invalid = form.is_bound and not form.is_valid()
    if form.is_bound and not invalid:
        status = form.cleaned_data["status"] or "open"
        team = form.cleaned_data["team"]
    queue = queue_for(tenancy, request.user, status=status, team=team)
    return render(
        request,
        "referrals/queue.html",
        {
            "nav": "queue",
            "form": form,
            "queue": queue,
            "status": status,
            "is_lead": rules.is_lead(tenancy),
            "outcomes": ReferralOutcome.choices,
            "triage_teams": list(team_list(tenancy, active_only=True)),
            "invalid": invalid,
        },
        status=400 if invalid else 200,
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def referral_create_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Refer the inquiry named by ``?inquiry=<id>`` to a team."""
    rules.require_worker(tenancy)
    inquiry_id = request.GET.get("inquiry", "")
    inquiry = None
    if inquiry_id:
        if not inquiry_id.isdigit():
            return render(
                request,
                "referrals/referral_form.html",
                {"nav": "queue", "form": None, "inquiry": None, "bad_inquiry": True},
                status=400,
            )
        inquiry = get_object_or_404(
            tenancy.scoped(Inquiry).select_related("site", "service"), pk=int(inquiry_id)
        )
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"client_key": str(uuid.uuid4())}
    if inquiry is not None and inquiry.service is not None and inquiry.service.is_active:
        initial["service"] = inquiry.service.pk  # the service asked about, as a start
    form = ReferralForm(data, tenancy=tenancy, initial=initial)
    if request.method == "POST" and inquiry is not None and form.is_valid():
        try:
            result = services.referral_create(
                tenancy=tenancy,
                actor=request.user,  # type: ignore[arg-type]
                inquiry=inquiry,
                team=form.cleaned_data["team"],
                service=form.cleaned_data["service"],
                note=form.cleaned_data["note"],
                client_key=form.cleaned_data["client_key"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The inquiry was referred to %(team)s.") % {"team": result.referral.to_team.name},
            )
            removed = removed_message(result.removed)
            if removed:
                messages.warning(request, removed)
            return _Redirect303(_queue_url(tenancy))
    open_referral = services.referral_open_of(tenancy, inquiry) if inquiry is not None else None
    return render(
        request,
        "referrals/referral_form.html",
        {
            "nav": "queue",
            "form": form,
            "inquiry": inquiry,
            "bad_inquiry": False,
            "open_referral": (
                services.referral_open_message(open_referral) if open_referral else ""
            ),
        },
        status=400 if form.is_bound and (form.errors or inquiry is None) else 200,
    )


@tenant_view()
def referral_step(request: HttpRequest, tenancy: Tenancy, pk: int, step: str) -> HttpResponse:
    """Accept, complete (with an outcome) or decline a referral. POST only; the object is
    looked up first, so another municipality's id is "not found" whatever the method."""
    referral = get_object_or_404(visible_referrals(tenancy, request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor: Any = request.user
    if step == "accept":
        _run(
            request,
            lambda: services.referral_accept(tenancy=tenancy, actor=actor, referral=referral),
            _("The referral was accepted."),
        )
    elif step == "complete":
        form = CompleteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an outcome."))
        else:
            _run(
                request,
                lambda: services.referral_complete(
                    tenancy=tenancy,
                    actor=actor,
                    referral=referral,
                    outcome=form.cleaned_data["outcome"],
                ),
                _("The referral was completed."),
            )
    else:
        _run(
            request,
            lambda: services.referral_decline(tenancy=tenancy, actor=actor, referral=referral),
            _("The referral was returned to the desk.")
            if referral.status == ReferralStatus.ACCEPTED
            else _("The referral was declined."),
        )
    return _Redirect303(_queue_url(tenancy))


@tenant_view()
def digital_step(request: HttpRequest, tenancy: Tenancy, pk: int, step: str) -> HttpResponse:
    """Triage (managers), assign to me, answer or close a digital inquiry (POST only, as
    :func:`referral_step`)."""
    item: DigitalInquiry = get_object_or_404(
        visible_digital_inquiries(tenancy, request.user), pk=pk
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    actor: Any = request.user
    if step == "triage":
        form = TriageForm(request.POST, tenancy=tenancy)
        if not form.is_valid():
            messages.error(request, _("Choose a team."))
        else:
            _run(
                request,
                lambda: services.digital_inquiry_triage(
                    tenancy=tenancy,
                    actor=actor,
                    digital_inquiry=item,
                    team=form.cleaned_data["team"],
                ),
                _("The inquiry was put in the team's queue."),
            )
    elif step == "assign":
        _run(
            request,
            lambda: services.digital_inquiry_assign(
                tenancy=tenancy, actor=actor, digital_inquiry=item, assignee=actor
            ),
            _("The inquiry is now assigned to you."),
        )
    elif step == "answer":
        _run(
            request,
            lambda: services.digital_inquiry_answer(
                tenancy=tenancy, actor=actor, digital_inquiry=item
            ),
            _("The inquiry was marked as answered."),
        )
    else:
        _run(
            request,
            lambda: services.digital_inquiry_close(
                tenancy=tenancy, actor=actor, digital_inquiry=item
            ),
            _("The inquiry was closed."),
        )
    return _Redirect303(_queue_url(tenancy))


def _team_fields(form: TeamForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "domain": data["domain"],
        "sites": list(data["sites"]),
        "members": list(data["members"]),
        "service_level_hours": data["service_level_hours"],
        "is_active": data["is_active"],
    }


@tenant_view()
@require_http_methods(["GET", "POST"])
def team_list_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The teams, and a form to add one (managers and administrators)."""
    rules.require_lead(tenancy)
    form = TeamForm(request.POST or None, tenancy=tenancy)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                tenancy=tenancy,
                actor=request.user,  # type: ignore[arg-type]
                **_team_fields(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The team %(name)s was added.") % {"name": team.name})
            return _Redirect303(reverse("referrals:teams", args=[tenancy.municipality.slug]))
    teams = list(team_list(tenancy).filter(pk__in=rules.local_teams(tenancy).values("pk")))
    return render(
        request,
        "referrals/teams.html",
        {
            "nav": "queue",
            "teams": teams,
            "editable": {team.pk for team in teams if rules.may_edit_team(tenancy, team)},
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view()
@require_http_methods(["GET", "POST"])
def team_edit_page(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Change one team (managers and administrators)."""
    rules.require_lead(tenancy)
    try:
        team: Team = team_get(tenancy, pk)
    except Team.DoesNotExist as error:
        raise Http404(_("Nothing with this id in this municipality.")) from error
    if not rules.may_edit_team(tenancy, team):
        raise Http404(_("Nothing with this id in this municipality."))
    form = TeamForm(request.POST or None, tenancy=tenancy, initial=TeamForm.initial_for(team))
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                tenancy=tenancy,
                actor=request.user,  # type: ignore[arg-type]
                team=team,
                **_team_fields(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The team %(name)s was saved.") % {"name": team.name})
            return _Redirect303(reverse("referrals:teams", args=[tenancy.municipality.slug]))
    return render(
        request,
        "referrals/team_form.html",
        {"nav": "queue", "team": team, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
