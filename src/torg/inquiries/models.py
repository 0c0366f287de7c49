"""The inquiry log and its audit trail.

An inquiry is one contact with a citizen at a desk or channel. No personal data about the
citizen is stored: there is no name or contact field, and the one short free-text ``note``
passes through :func:`torg.lib.pii.scrub` before it is saved
(:func:`torg.inquiries.services.inquiry_record`).

Deletion is a real delete: a deleted inquiry leaves no row that lists, aggregates, exports
or the API could count by mistake. What it held is kept as a JSON snapshot in its
:class:`InquiryChange` row (action ``delete``), with who deleted it and when.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Domain, Service
from torg.organisation.models import Municipality, ServicePoint, Site


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
    DIGITAL_FORM = "digital_form", _("Digital form or app")
    OUTREACH = "outreach", _("Outreach")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved at first line")
    REFERRED_INTERNAL = "referred_internal", _("Referred to a specialist or team")
    REFERRED_EXTERNAL = "referred_external", _("Referred to another agency")
    APPOINTMENT = "appointment", _("Appointment booked")
    NOT_RESOLVED = "not_resolved", _("Not resolved")
    # Imported logs often leave the outcome empty (the BAMPFA desk log: 451 of 470 rows);
    # that is missing, not "resolved".
    NOT_RECORDED = "not_recorded", _("Not recorded")


class UserType(models.TextChoices):
    NEW = "new", _("New user")
    RETURNING = "returning", _("Returning user")


class AgeGroup(models.TextChoices):
    """Age bands of the desk log (estimated by staff, never asked for a birth date)."""

    CHILD = "child", _("Child (0–12)")
    YOUNG = "young", _("Young (13–19)")
    ADULT = "adult", _("Adult (20–66)")
    SENIOR = "senior", _("Senior (67+)")


class Language(models.TextChoices):
    """The language the inquiry was handled in. Codes are ISO 639-1 where one exists
    (``se`` Northern Sámi, ``ti`` Tigrinya); a short list of the languages most used at
    Norwegian desks, and ``other``."""

    NORWEGIAN = "no", _("Norwegian")
    ENGLISH = "en", _("English")
    SAMI = "se", _("Sámi")
    UKRAINIAN = "uk", _("Ukrainian")
    ARABIC = "ar", _("Arabic")
    SOMALI = "so", _("Somali")
    POLISH = "pl", _("Polish")
    TIGRINYA = "ti", _("Tigrinya")
    OTHER = "other", _("Other language")


class DurationBand(models.TextChoices):
    UNDER_5 = "under_5", _("Under 5 minutes")
    FROM_5_TO_15 = "5_15", _("5–15 minutes")
    FROM_15_TO_30 = "15_30", _("15–30 minutes")
    OVER_30 = "over_30", _("Over 30 minutes")


#: The longest note, in characters (after scrubbing).
NOTE_MAX_LENGTH = 500


class InquiryDomain(models.TextChoices):
    """The domain of an inquiry: that of its service, or unknown when no service is set."""

    LIBRARY = Domain.LIBRARY.value, Domain.LIBRARY.label
    MUNICIPAL = Domain.MUNICIPAL.value, Domain.MUNICIPAL.label
    SHARED = Domain.SHARED.value, Domain.SHARED.label
    UNKNOWN = "unknown", _("Unknown")


class Inquiry(models.Model):
    """One contact with a citizen.

    ``occurred_at`` is an instant (stored in UTC); the site's time zone decides its local
    day. When the source only knows the date, ``time_of_day_known`` is false and
    ``occurred_at`` is local midnight of that date, so that the inquiry counts on the right
    day but is left out of any hour-of-day analysis.

    ``read_effort`` is the Reference Effort Assessment Data (READ) scale, 1–6
    (Gerlich & Berard, "Introducing the READ Scale", *Library Philosophy and Practice*,
    2007): 1 = directional, no specialist knowledge, under 5 minutes; 6 = in-depth research
    or consultation by a specialist.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="inquiries"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="inquiries")
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries"
    )
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    time_of_day_known = models.BooleanField(_("time of day known"), default=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries"
    )
    domain = models.CharField(
        _("domain"), max_length=20, choices=InquiryDomain.choices, default=InquiryDomain.UNKNOWN
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    read_effort = models.PositiveSmallIntegerField(_("READ effort"), null=True, blank=True)
    source_key = models.CharField(  # noqa: DJ001 - NULL for entries made at the desk; unique when set
        max_length=120,
        null=True,
        blank=True,
        help_text=_(
            "Identifier of the row in an imported file; keeps re-imports from duplicating."
        ),
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    user_type = models.CharField(
        _("new or returning user"), max_length=20, choices=UserType.choices, blank=True, default=""
    )
    age_group = models.CharField(
        _("age group"), max_length=20, choices=AgeGroup.choices, blank=True, default=""
    )
    language = models.CharField(
        _("language"), max_length=20, choices=Language.choices, blank=True, default=""
    )
    duration_band = models.CharField(
        _("duration"), max_length=20, choices=DurationBand.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True, default="")
    # When the entry was made; occurred_at is when the contact happened ("record late"
    # chooses an earlier occurred_at). Empty for rows from imports and before issue 3.
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    client_key = models.CharField(  # noqa: DJ001 - NULL when no client key; unique when set
        max_length=100,
        null=True,
        blank=True,
        help_text=_("Idempotency key of the desk client; the same key never makes two rows."),
    )

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        constraints = [
            models.CheckConstraint(
                condition=Q(read_effort__isnull=True) | Q(read_effort__gte=1, read_effort__lte=6),
                name="inquiry_read_effort_1_to_6",
            ),
            models.UniqueConstraint(
                fields=["municipality", "source_key"], name="inquiry_unique_source_key"
            ),
            models.UniqueConstraint(
                fields=["municipality", "client_key"], name="inquiry_unique_client_key"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.site.name} {self.occurred_at:%Y-%m-%d %H:%M} {self.channel}"

    @staticmethod
    def domain_for(service: Service | None) -> str:
        """The domain an inquiry about ``service`` has: the service's, or unknown."""
        return InquiryDomain(service.domain).value if service is not None else InquiryDomain.UNKNOWN


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Recorded")
    UPDATE = "update", _("Corrected")
    DELETE = "delete", _("Deleted")


class InquiryChange(models.Model):
    """One entry of the audit log of inquiries: who recorded, corrected or deleted which
    inquiry, when, and the values before and after.

    ``before`` and ``after`` map field names to JSON values (ids for foreign keys, ISO 8601
    UTC for instants): for ``create`` ``before`` is empty and ``after`` holds every audited
    field; for ``update`` both hold only the fields that changed; for ``delete`` ``before``
    is the full snapshot of the deleted inquiry and ``after`` is empty. ``inquiry_number``
    keeps the id of the inquiry after it is deleted (``inquiry`` is then empty).
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="inquiry_changes"
    )
    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    inquiry_number = models.PositiveBigIntegerField(_("inquiry id"))

    #: How a site-bound member's view reaches the site (see torg.organisation.scoping).
    site_scope: ClassVar[str] = "inquiry__site"
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("changed"))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("inquiry change")
        verbose_name_plural = _("inquiry changes")
        indexes = [models.Index(fields=["municipality", "inquiry_number"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.inquiry_number} {self.changed_at:%Y-%m-%d %H:%M}"
