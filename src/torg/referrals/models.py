"""Teams, referrals and the digital inquiry queue.

A *team* of a municipality (library, municipal or shared) may span several sites (the hybrid
model) and has members: memberships of the same municipality. A *referral* hands an inquiry
logged at a desk over to a team; the team accepts it and completes it with an outcome. A
*digital inquiry* (e-mail, web form, chat) arrives through the API or an import, is triaged
into a team's queue, assigned, answered and closed against the team's service-level target.

No personal data about citizens is stored: notes and summaries pass through
:func:`torg.lib.pii.scrub` in :mod:`torg.referrals.services` before they are saved, and a
digital inquiry keeps no sender address, only that it came in.

Status and timestamps are kept consistent by check constraints (see each model's ``Meta``),
so no code path, admin or shell can store an accepted referral without its acceptance time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Domain, Service
from torg.inquiries.models import Inquiry
from torg.organisation.models import Membership, Municipality, Site

#: Default service-level target for digital inquiries: 48 calendar hours (not working
#: hours: a simple clock that everyone can check by hand).
DEFAULT_SERVICE_LEVEL_HOURS = 48


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    """Minutes from ``start`` to ``end`` (aware instants), or ``None`` if either is missing."""
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


class Team(models.Model):
    """A group of staff who work one queue. ``service_level_hours`` is the target time from
    receipt to first answer of a digital inquiry, in calendar hours."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    sites = models.ManyToManyField(Site, blank=True, related_name="teams", verbose_name=_("sites"))
    members = models.ManyToManyField(
        Membership, blank=True, related_name="teams", verbose_name=_("members")
    )
    is_active = models.BooleanField(_("active"), default=True)
    service_level_hours = models.PositiveIntegerField(
        _("service-level target (hours)"),
        default=DEFAULT_SERVICE_LEVEL_HOURS,
        help_text=_("Calendar hours from receipt to the first answer of a digital inquiry."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="team_unique_name_per_municipality"
            ),
            models.CheckConstraint(
                condition=Q(service_level_hours__gte=1), name="team_service_level_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    RETURNED = "returned", _("Returned")


class ReferralOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    REFERRED_ON = "referred_on", _("Referred on")
    APPOINTMENT = "appointment", _("Appointment booked")
    NOT_RESOLVED = "not_resolved", _("Not resolved")


class Referral(models.Model):
    """The hand-over of an inquiry to a team (optionally naming the service wanted).

    Life cycle: ``new`` → ``accepted`` → ``completed`` (with an outcome); a new referral may
    be ``declined``, an accepted one ``returned``. ``first_response_at`` is the acceptance
    or the refusal, whichever came first; the durations are in minutes.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="referrals"
    )
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="referrals")
    to_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("team")
    )
    to_service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service"),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(_("declined or returned"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ReferralOutcome.choices, blank=True, default=""
    )
    client_key = models.CharField(  # noqa: DJ001 - NULL when the client sent none; unique when set
        max_length=255, null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "client_key"], name="referral_unique_client_key"
            ),
            # One open referral per inquiry: a second one waits until the first is
            # declined or returned (or completed).
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=Q(status__in=[ReferralStatus.NEW, ReferralStatus.ACCEPTED]),
                name="referral_one_open_per_inquiry",
            ),
            models.CheckConstraint(
                name="referral_status_timestamps",
                condition=(
                    Q(
                        status=ReferralStatus.NEW,
                        first_response_at__isnull=True,
                        accepted_at__isnull=True,
                        completed_at__isnull=True,
                        declined_at__isnull=True,
                    )
                    | Q(
                        status=ReferralStatus.ACCEPTED,
                        accepted_at__isnull=False,
                        first_response_at__isnull=False,
                        completed_at__isnull=True,
                        declined_at__isnull=True,
                    )
                    | Q(
                        status=ReferralStatus.COMPLETED,
                        accepted_at__isnull=False,
                        first_response_at__isnull=False,
                        completed_at__isnull=False,
                        declined_at__isnull=True,
                    )
                    | Q(
                        status=ReferralStatus.DECLINED,
                        accepted_at__isnull=True,
                        first_response_at__isnull=False,
                        completed_at__isnull=True,
                        declined_at__isnull=False,
                    )
                    | Q(
                        status=ReferralStatus.RETURNED,
                        accepted_at__isnull=False,
                        first_response_at__isnull=False,
                        completed_at__isnull=True,
                        declined_at__isnull=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="referral_outcome_only_when_completed",
                condition=(Q(status=ReferralStatus.COMPLETED) & ~Q(outcome=""))
                | (~Q(status=ReferralStatus.COMPLETED) & Q(outcome="")),
            ),
            models.CheckConstraint(
                name="referral_timestamps_in_order",
                condition=(
                    (Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("created_at")))
                    & (Q(accepted_at__isnull=True) | Q(accepted_at__gte=F("created_at")))
                    & (Q(completed_at__isnull=True) | Q(completed_at__gte=F("accepted_at")))
                    & (Q(declined_at__isnull=True) | Q(declined_at__gte=F("created_at")))
                ),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.to_team.name}: {self.get_status_display()}"

    @property
    def time_to_first_response_minutes(self) -> float | None:
        """Minutes from creation to acceptance or refusal; ``None`` while new."""
        return minutes_between(self.created_at, self.first_response_at)

    @property
    def time_to_completion_minutes(self) -> float | None:
        """Minutes from creation to completion; ``None`` until completed."""
        return minutes_between(self.created_at, self.completed_at)


class DigitalChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    CHAT = "chat", _("Chat")


class DigitalStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class DigitalInquiry(models.Model):
    """An inquiry that came in digitally. The sender is not stored, only that it came in,
    on which channel and when; ``summary`` is scrubbed of personal data.

    ``due_at`` is ``received_at`` plus the team's ``service_level_hours``, set when the
    inquiry is triaged into a team's queue. ``client_key`` (from an API client) and
    ``source_key`` (from an import) make receiving idempotent per municipality.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="digital_inquiries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=DigitalChannel.choices)
    received_at = models.DateTimeField(_("received"), db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="digital_inquiries",
        verbose_name=_("service"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="digital_inquiries",
        verbose_name=_("team"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DigitalStatus.choices, default=DigitalStatus.NEW
    )
    first_response_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    source_key = models.CharField(  # noqa: DJ001 - NULL unless imported; unique when set
        max_length=120, null=True, blank=True
    )
    client_key = models.CharField(  # noqa: DJ001 - NULL unless sent by a client; unique when set
        max_length=255, null=True, blank=True
    )

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("digital inquiry")
        verbose_name_plural = _("digital inquiries")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "client_key"], name="digital_inquiry_unique_client_key"
            ),
            models.UniqueConstraint(
                fields=["municipality", "source_key"], name="digital_inquiry_unique_source_key"
            ),
            models.CheckConstraint(
                name="digital_inquiry_status_fields",
                condition=(
                    Q(
                        status=DigitalStatus.NEW,
                        first_response_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status=DigitalStatus.ASSIGNED,
                        team__isnull=False,
                        assigned_to__isnull=False,
                        first_response_at__isnull=True,
                        closed_at__isnull=True,
                    )
                    | Q(
                        status=DigitalStatus.ANSWERED,
                        team__isnull=False,
                        first_response_at__isnull=False,
                        closed_at__isnull=True,
                    )
                    | Q(status=DigitalStatus.CLOSED, closed_at__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="digital_inquiry_timestamps_in_order",
                condition=(
                    (Q(first_response_at__isnull=True) | Q(first_response_at__gte=F("received_at")))
                    & (Q(closed_at__isnull=True) | Q(closed_at__gte=F("received_at")))
                    & (Q(due_at__isnull=True) | Q(due_at__gt=F("received_at")))
                ),
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def time_to_first_response_minutes(self) -> float | None:
        """Minutes from receipt to the first answer; ``None`` until answered."""
        return minutes_between(self.received_at, self.first_response_at)

    @property
    def time_to_close_minutes(self) -> float | None:
        """Minutes from receipt to closing; ``None`` while open."""
        return minutes_between(self.received_at, self.closed_at)


class QueueEvent(models.Model):
    """The audit log of teams, referrals and digital inquiries: who did what, when, with
    the details in ``detail`` (ids and codes only, never free text about a citizen).

    The row names the referral, the digital inquiry or the team it is about (one of them;
    not a database constraint, so that deleting a team's history is never blocked)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="queue_events"
    )
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    digital_inquiry = models.ForeignKey(
        DigitalInquiry, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("queue event")
        verbose_name_plural = _("queue events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
