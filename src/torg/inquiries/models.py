"""The inquiry log (thin for now; the front-desk issue deepens it).

An inquiry is one contact with a citizen at a desk or channel. No personal data about the
citizen is stored: there is no name, contact or free-text field about the person.
"""

from __future__ import annotations

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
        ]
        indexes = [models.Index(fields=["municipality", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.site.name} {self.occurred_at:%Y-%m-%d %H:%M} {self.channel}"
