"""Writes of teams, referrals and the digital queue. Each function checks the caller's role
and the tenancy of every object it is given, changes the rows in one transaction and writes
a :class:`~torg.referrals.models.QueueEvent`.

Who may do what (``tenancy.role``, see :mod:`torg.referrals.rules`):

* create a referral, receive a digital inquiry: desk staff, managers, administrators;
* accept, complete, decline a referral; assign to oneself, answer, close a digital inquiry:
  members of the receiving team, and managers and administrators of the municipality;
* triage a digital inquiry into a team, assign it to someone else, manage teams: managers
  and administrators;
* analysts read everything and change nothing.

Errors: :class:`django.core.exceptions.PermissionDenied` for a role or person not allowed,
:class:`django.core.exceptions.ValidationError` for an object of another municipality, a
transition the current status does not allow, or a time before the previous step. Times
are aware instants; ``now`` defaults to the present and exists so that tests and imports
can give exact times. Durations are in minutes (see the model properties).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from torg.catalogue.models import Service
from torg.inquiries.models import Inquiry
from torg.lib.pii import scrub
from torg.organisation.models import Membership, Site
from torg.organisation.scoping import Tenancy
from torg.referrals import rules
from torg.referrals.models import (
    DigitalChannel,
    DigitalInquiry,
    DigitalStatus,
    QueueEvent,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    Team,
)

#: The statuses of a referral still being worked on; an inquiry has at most one such.
OPEN_REFERRAL_STATUSES = (ReferralStatus.NEW, ReferralStatus.ACCEPTED)


@dataclass(frozen=True)
class Scrubbed:
    """A saved row and what the scrubber removed from its free text, by kind (e.g.
    ``{"email": 1}``), so that the page can tell the user."""

    removed: dict[str, int]


@dataclass(frozen=True)
class ReferralCreated(Scrubbed):
    referral: Referral
    created: bool


@dataclass(frozen=True)
class DigitalInquiryReceived(Scrubbed):
    digital_inquiry: DigitalInquiry
    created: bool


# --- Helpers ----------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    instant = now or timezone.now()
    if timezone.is_naive(instant):
        raise ValueError("now must be an aware datetime")
    return instant


def _same_municipality(tenancy: Tenancy, obj: models.Model | None, field: str) -> None:
    if obj is not None and getattr(obj, "municipality_id", None) != tenancy.municipality.pk:
        raise ValidationError({field: _("Nothing with this id in this municipality.")})


def _not_before(instant: dt.datetime, earliest: dt.datetime) -> None:
    if instant < earliest:
        raise ValidationError(_("This time lies before the previous step."))


def _log(
    tenancy: Tenancy,
    *,
    action: str,
    actor: AbstractBaseUser | None,
    at: dt.datetime,
    referral: Referral | None = None,
    digital_inquiry: DigitalInquiry | None = None,
    team: Team | None = None,
    **detail: Any,
) -> QueueEvent:
    return QueueEvent.objects.create(
        municipality=tenancy.municipality,
        referral=referral,
        digital_inquiry=digital_inquiry,
        team=team,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        at=at,
        detail=detail,
    )


def _step_names() -> dict[str, str]:
    """The steps of the queue by code, as the person doing them reads them."""
    return {
        "accept": _("accept"),
        "complete": _("complete"),
        "decline": _("decline or return"),
        "triage": _("put in a team's queue"),
        "assign": _("assign"),
        "answer": _("answer"),
        "close": _("close"),
    }


def _refuse_transition(row: Referral | DigitalInquiry, action: str) -> ValidationError:
    """The refusal of step ``action`` (a key of :func:`_step_names`) on ``row`` in its
    current status, in words (never the internal codes)."""
    return ValidationError(
        _("This cannot be done now (status: %(status)s, step: %(action)s).")
        % {"status": row.get_status_display().lower(), "action": _step_names()[action]},
        code="invalid_transition",
    )


def referral_open_of(tenancy: Tenancy, inquiry: Inquiry) -> Referral | None:
    """The open referral (``new`` or ``accepted``) of ``inquiry``, if any, with its team.
    An inquiry has at most one (constraint ``referral_one_open_per_inquiry``)."""
    return (
        tenancy.scoped(Referral)
        .filter(inquiry=inquiry, status__in=OPEN_REFERRAL_STATUSES)
        .select_related("to_team")
        .order_by("created_at", "pk")
        .first()
    )


def referral_open_message(open_referral: Referral) -> str:
    """Why an inquiry cannot be referred while ``open_referral`` is open, naming it."""
    return _(
        "This inquiry is already referred to %(team)s (referral %(number)s, %(status)s). "
        "It can be referred again when that referral is declined or returned."
    ) % {
        "team": open_referral.to_team.name,
        "number": open_referral.pk,
        "status": open_referral.get_status_display().lower(),
    }


def _refuse_second_referral(open_referral: Referral) -> ValidationError:
    return ValidationError(referral_open_message(open_referral), code="open_referral")


# --- Teams ------------------------------------------------------------------------------


def _check_team_fields(
    tenancy: Tenancy, sites: Iterable[Site], members: Iterable[Membership]
) -> tuple[list[Site], list[Membership]]:
    site_list, member_list = list(sites), list(members)
    for site in site_list:
        _same_municipality(tenancy, site, "sites")
    for membership in member_list:
        _same_municipality(tenancy, membership, "members")
    return site_list, member_list


def team_create(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    name: str,
    domain: str,
    sites: Iterable[Site] = (),
    members: Iterable[Membership] = (),
    service_level_hours: int | None = None,
    is_active: bool = True,
    now: dt.datetime | None = None,
) -> Team:
    """Create a team of ``tenancy``'s municipality. Managers and administrators only;
    ``sites`` and ``members`` (memberships) must belong to the same municipality; the name
    is unique in the municipality. ``service_level_hours`` defaults to 48 calendar hours."""
    rules.require_lead(tenancy)
    site_list, member_list = _check_team_fields(tenancy, sites, members)
    name = name.strip()
    if tenancy.scoped(Team).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    team = Team(municipality=tenancy.municipality, name=name, domain=domain, is_active=is_active)
    if service_level_hours is not None:
        team.service_level_hours = service_level_hours
    return _team_save(tenancy, actor, team, "team_create", site_list, member_list, now)


def team_update(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    team: Team,
    name: str,
    domain: str,
    sites: Iterable[Site],
    members: Iterable[Membership],
    service_level_hours: int,
    is_active: bool,
    now: dt.datetime | None = None,
) -> Team:
    """Change a team (same rules as :func:`team_create`). A new service-level target
    applies to digital inquiries triaged from now on; existing due times stay."""
    rules.require_lead(tenancy)
    _same_municipality(tenancy, team, "team")
    site_list, member_list = _check_team_fields(tenancy, sites, members)
    name = name.strip()
    if tenancy.scoped(Team).filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    team.name, team.domain, team.is_active = name, domain, is_active
    team.service_level_hours = service_level_hours
    return _team_save(tenancy, actor, team, "team_update", site_list, member_list, now)


def _team_save(
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    team: Team,
    action: str,
    site_list: list[Site],
    member_list: list[Membership],
    now: dt.datetime | None,
) -> Team:
    """Validate and save ``team`` with its sites and members, and log ``action``; one
    transaction."""
    with transaction.atomic():
        team.full_clean(exclude=["municipality"])
        team.save()
        team.sites.set(site_list)
        team.members.set(member_list)
        _log(
            tenancy,
            action=action,
            actor=actor,
            at=_now(now),
            team=team,
            sites=[s.pk for s in site_list],
            members=[m.pk for m in member_list],
        )
    return team


# --- Referrals --------------------------------------------------------------------------


def referral_create(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    inquiry: Inquiry,
    team: Team,
    service: Service | None = None,
    note: str = "",
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> ReferralCreated:
    """Refer ``inquiry`` to ``team`` (both of ``tenancy``'s municipality; the team must be
    active). The note is scrubbed of personal data first. With a ``client_key`` already
    used in the municipality, the earlier referral is returned with ``created=False`` and
    nothing is written.

    An inquiry has at most one open referral (``new`` or ``accepted``): while it has one,
    a new referral is a :class:`ValidationError` (code ``open_referral``) naming it, also
    when two requests race (the partial unique constraint decides). After a declined,
    returned or completed referral the inquiry may be referred again."""
    rules.require_worker(tenancy)
    _same_municipality(tenancy, inquiry, "inquiry")
    _same_municipality(tenancy, team, "team")
    _same_municipality(tenancy, service, "service")
    if not tenancy.covers_site(inquiry.site_id):
        raise ValidationError({"inquiry": _("This inquiry was made at a site that is not yours.")})
    if client_key:
        existing = tenancy.scoped(Referral).filter(client_key=client_key).first()
        if existing is not None:
            return ReferralCreated(referral=existing, created=False, removed={})
    if not team.is_active:
        raise ValidationError({"team": _("This team is no longer active.")})
    open_referral = referral_open_of(tenancy, inquiry)
    if open_referral is not None:
        raise _refuse_second_referral(open_referral)
    instant = _now(now)
    cleaned = scrub(note.strip())
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                municipality=tenancy.municipality,
                inquiry=inquiry,
                to_team=team,
                to_service=service,
                note=cleaned.text,
                created_at=instant,
                created_by_id=actor.pk,
                client_key=client_key or None,
            )
            _log(
                tenancy,
                action="referral_create",
                actor=actor,
                at=instant,
                referral=referral,
                team=team,
                inquiry=inquiry.pk,
                removed=cleaned.counts(),
            )
    except IntegrityError:
        # A concurrent request with the same key committed first: its row is the answer.
        if client_key:
            existing = tenancy.scoped(Referral).filter(client_key=client_key).first()
            if existing is not None:
                return ReferralCreated(referral=existing, created=False, removed={})
        # Or a concurrent referral of the same inquiry won (one open referral at a time).
        open_referral = referral_open_of(tenancy, inquiry)
        if open_referral is not None:
            raise _refuse_second_referral(open_referral) from None
        raise
    return ReferralCreated(referral=referral, created=True, removed=cleaned.counts())


def _locked_referral(tenancy: Tenancy, referral: Referral) -> Referral:
    _same_municipality(tenancy, referral, "referral")
    return (
        tenancy.scoped(Referral)
        .select_for_update(of=("self",))
        .select_related("to_team")
        .get(pk=referral.pk)
    )


def referral_accept(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    referral: Referral,
    now: dt.datetime | None = None,
) -> Referral:
    """``new`` → ``accepted`` by a member of the receiving team (or a manager or
    administrator). Sets ``accepted_at`` and ``first_response_at``."""
    instant = _now(now)
    with transaction.atomic():
        row = _locked_referral(tenancy, referral)
        rules.require_team_worker(tenancy, actor, row.to_team)
        if row.status != ReferralStatus.NEW:
            raise _refuse_transition(row, "accept")
        _not_before(instant, row.created_at)
        row.status = ReferralStatus.ACCEPTED
        row.accepted_at = row.first_response_at = instant
        row.accepted_by_id = actor.pk
        row.save()
        _log(
            tenancy,
            action="referral_accept",
            actor=actor,
            at=instant,
            referral=row,
            minutes=row.time_to_first_response_minutes,
        )
    return row


def referral_complete(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    referral: Referral,
    outcome: str,
    now: dt.datetime | None = None,
) -> Referral:
    """``accepted`` → ``completed`` with an ``outcome`` (:class:`ReferralOutcome`) by a
    member of the team (or a manager or administrator)."""
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    instant = _now(now)
    with transaction.atomic():
        row = _locked_referral(tenancy, referral)
        rules.require_team_worker(tenancy, actor, row.to_team)
        if row.status != ReferralStatus.ACCEPTED:
            raise _refuse_transition(row, "complete")
        assert row.accepted_at is not None
        _not_before(instant, row.accepted_at)
        row.status = ReferralStatus.COMPLETED
        row.completed_at = instant
        row.completed_by_id = actor.pk
        row.outcome = outcome
        row.save()
        _log(
            tenancy,
            action="referral_complete",
            actor=actor,
            at=instant,
            referral=row,
            outcome=outcome,
            minutes=row.time_to_completion_minutes,
        )
    return row


def referral_decline(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    referral: Referral,
    now: dt.datetime | None = None,
) -> Referral:
    """A ``new`` referral is ``declined`` (this is then its first response); an
    ``accepted`` one is ``returned`` to the desk. By a member of the team (or a manager or
    administrator)."""
    instant = _now(now)
    with transaction.atomic():
        row = _locked_referral(tenancy, referral)
        rules.require_team_worker(tenancy, actor, row.to_team)
        if row.status == ReferralStatus.NEW:
            row.status = ReferralStatus.DECLINED
            row.first_response_at = instant
        elif row.status == ReferralStatus.ACCEPTED:
            row.status = ReferralStatus.RETURNED
        else:
            raise _refuse_transition(row, "decline")
        _not_before(instant, row.accepted_at or row.created_at)
        row.declined_at = instant
        row.save()
        _log(tenancy, action=f"referral_{row.status}", actor=actor, at=instant, referral=row)
    return row


# --- Digital inquiries ------------------------------------------------------------------


def _existing_digital(
    tenancy: Tenancy, client_key: str | None, source_key: str | None
) -> DigitalInquiry | None:
    rows = tenancy.scoped(DigitalInquiry)
    if client_key:
        found = rows.filter(client_key=client_key).first()
        if found is not None:
            return found
    if source_key:
        return rows.filter(source_key=source_key).first()
    return None


def digital_inquiry_receive(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser | None,
    channel: str,
    received_at: dt.datetime,
    summary: str = "",
    service: Service | None = None,
    team: Team | None = None,
    client_key: str | None = None,
    source_key: str | None = None,
    now: dt.datetime | None = None,
) -> DigitalInquiryReceived:
    """Store that a digital inquiry came in (through the API or an import). The summary is
    scrubbed of personal data; no sender is stored. With a ``team`` the inquiry goes
    straight into its queue with ``due_at`` set (a channel routed to one team).

    Idempotent: a ``client_key`` or ``source_key`` already used in the municipality returns
    the earlier row with ``created=False`` and writes nothing, also when two requests with
    the same key race (the unique constraint decides; the loser returns the winner's row).
    ``actor`` is ``None`` for imports, which check their own permission.
    """
    if actor is not None:
        rules.require_worker(tenancy)
    if channel not in DigitalChannel.values:
        raise ValidationError({"channel": _("Choose a channel.")})
    if timezone.is_naive(received_at):
        raise ValidationError({"received_at": _("Give the time with its time zone.")})
    _same_municipality(tenancy, service, "service")
    _same_municipality(tenancy, team, "team")
    existing = _existing_digital(tenancy, client_key, source_key)
    if existing is not None:
        return DigitalInquiryReceived(digital_inquiry=existing, created=False, removed={})
    instant = _now(now)
    cleaned = scrub(summary.strip())
    try:
        with transaction.atomic():
            row = DigitalInquiry.objects.create(
                municipality=tenancy.municipality,
                channel=channel,
                received_at=received_at,
                summary=cleaned.text,
                service=service,
                team=team,
                due_at=(
                    received_at + dt.timedelta(hours=team.service_level_hours) if team else None
                ),
                client_key=client_key or None,
                source_key=source_key or None,
            )
            _log(
                tenancy,
                action="digital_receive",
                actor=actor,
                at=instant,
                digital_inquiry=row,
                team=team,
                removed=cleaned.counts(),
            )
    except IntegrityError:
        existing = _existing_digital(tenancy, client_key, source_key)
        if existing is None:
            raise
        return DigitalInquiryReceived(digital_inquiry=existing, created=False, removed={})
    return DigitalInquiryReceived(digital_inquiry=row, created=True, removed=cleaned.counts())


def _locked_digital(tenancy: Tenancy, digital_inquiry: DigitalInquiry) -> DigitalInquiry:
    _same_municipality(tenancy, digital_inquiry, "digital_inquiry")
    return (
        tenancy.scoped(DigitalInquiry)
        .select_for_update(of=("self",))
        .select_related("team")
        .get(pk=digital_inquiry.pk)
    )


def digital_inquiry_triage(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    digital_inquiry: DigitalInquiry,
    team: Team,
    now: dt.datetime | None = None,
) -> DigitalInquiry:
    """Put a ``new`` or ``assigned`` digital inquiry into ``team``'s queue (managers and
    administrators). ``due_at`` becomes ``received_at`` + the team's target in hours; a
    move to another team clears the assignee (status ``new`` again)."""
    rules.require_lead(tenancy)
    _same_municipality(tenancy, team, "team")
    if not team.is_active:
        raise ValidationError({"team": _("This team is no longer active.")})
    instant = _now(now)
    with transaction.atomic():
        row = _locked_digital(tenancy, digital_inquiry)
        if row.status not in {DigitalStatus.NEW, DigitalStatus.ASSIGNED}:
            raise _refuse_transition(row, "triage")
        previous = row.team_id
        if previous != team.pk:
            row.assigned_to = None
            row.status = DigitalStatus.NEW
        row.team = team
        row.due_at = row.received_at + dt.timedelta(hours=team.service_level_hours)
        row.save()
        _log(
            tenancy,
            action="digital_triage",
            actor=actor,
            at=instant,
            digital_inquiry=row,
            team=team,
            previous_team=previous,
        )
    return row


def digital_inquiry_assign(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    digital_inquiry: DigitalInquiry,
    assignee: AbstractBaseUser,
    now: dt.datetime | None = None,
) -> DigitalInquiry:
    """Give a triaged ``new`` or ``assigned`` digital inquiry to ``assignee``, a member of
    its team. Team members may take it themselves ("assign to me"); managers and
    administrators may give it to any member."""
    instant = _now(now)
    with transaction.atomic():
        row = _locked_digital(tenancy, digital_inquiry)
        if row.team is None:
            raise ValidationError(_("Put the inquiry in a team's queue first."))
        if row.status not in {DigitalStatus.NEW, DigitalStatus.ASSIGNED}:
            raise _refuse_transition(row, "assign")
        if assignee.pk != actor.pk and not rules.is_lead(tenancy):
            raise PermissionDenied(_("Only managers can assign an inquiry to someone else."))
        rules.require_team_worker(tenancy, actor, row.team)
        if not rules.is_member(row.team, assignee):
            raise ValidationError({"assignee": _("This person is not a member of the team.")})
        row.assigned_to_id = assignee.pk
        row.status = DigitalStatus.ASSIGNED
        row.save()
        _log(
            tenancy,
            action="digital_assign",
            actor=actor,
            at=instant,
            digital_inquiry=row,
            assignee=assignee.pk,
        )
    return row


def digital_inquiry_answer(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    digital_inquiry: DigitalInquiry,
    now: dt.datetime | None = None,
) -> DigitalInquiry:
    """``assigned`` → ``answered``: record the first answer (by the assignee, or a manager
    or administrator). Sets ``first_response_at``."""
    instant = _now(now)
    with transaction.atomic():
        row = _locked_digital(tenancy, digital_inquiry)
        if row.status != DigitalStatus.ASSIGNED:
            raise _refuse_transition(row, "answer")
        if row.assigned_to_id != actor.pk and not rules.is_lead(tenancy):
            raise PermissionDenied(_("Only the person it is assigned to can answer it."))
        _not_before(instant, row.received_at)
        row.status = DigitalStatus.ANSWERED
        row.first_response_at = instant
        row.save()
        _log(
            tenancy,
            action="digital_answer",
            actor=actor,
            at=instant,
            digital_inquiry=row,
            minutes=row.time_to_first_response_minutes,
            overdue=bool(row.due_at and instant > row.due_at),
        )
    return row


def digital_inquiry_close(
    *,
    tenancy: Tenancy,
    actor: AbstractBaseUser,
    digital_inquiry: DigitalInquiry,
    now: dt.datetime | None = None,
) -> DigitalInquiry:
    """Close an open digital inquiry (any status but ``closed``). Members of its team may
    close it; an untriaged one (spam, a duplicate) only a manager or administrator."""
    instant = _now(now)
    with transaction.atomic():
        row = _locked_digital(tenancy, digital_inquiry)
        if row.status == DigitalStatus.CLOSED:
            raise _refuse_transition(row, "close")
        if row.team is None:
            rules.require_lead(tenancy)
        else:
            rules.require_team_worker(tenancy, actor, row.team)
        _not_before(instant, row.first_response_at or row.received_at)
        row.status = DigitalStatus.CLOSED
        row.closed_at = instant
        row.save()
        _log(
            tenancy,
            action="digital_close",
            actor=actor,
            at=instant,
            digital_inquiry=row,
            minutes=row.time_to_close_minutes,
            answered=row.first_response_at is not None,
        )
    return row
