"""Periods to leave out of every before/after comparison, entered once per site.

An :class:`ExcludedPeriod` covers local calendar days ``first`` to ``last`` (inclusive) at
one site, or at every site of the municipality when ``site`` is empty (the COVID
restrictions). :mod:`torg.evaluation.methods` drops every period that overlaps one.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality, Site


class ExclusionReason(models.TextChoices):
    CLOSURE = "closure", _("Closure")
    COVID = "covid", _("COVID-19 restrictions")
    BUILDING_WORKS = "building_works", _("Building works or temporary premises")
    OTHER = "other", _("Other")


class ExcludedPeriod(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="excluded_periods",
        help_text=_("Empty for every site of the municipality."),
    )
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=20, choices=ExclusionReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "first"]
        verbose_name = _("excluded period")
        verbose_name_plural = _("excluded periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(last__gte=models.F("first")), name="excluded_period_valid_range"
            ),
        ]

    def __str__(self) -> str:
        where = self.site.name if self.site else "*"
        return f"{where}: {self.first}–{self.last} ({self.reason})"


class HelpfulMethod(models.TextChoices):
    """The methods that helped in the project "Beste praksis for bibliotek og
    innbyggertorg" (PRODUCT.md)."""

    JOB_SHADOWING = "job_shadowing", _("Job shadowing (hospitering) in the other service")
    SUBSTITUTES = "substitutes", _("Working as a substitute at other sites")
    HARMONISED_HOURS = (
        "harmonised_hours",
        _(
            "Harmonised working hours and rota (for example everyone works Saturdays, every sixth week)"
        ),
    )
    CULTURE = "culture", _("Deliberate culture building and communication")
    TIME_SET_ASIDE = "time_set_aside", _("Time and resources set aside for the change")


class ChecklistStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")


class MethodChecklistItem(models.Model):
    """How far a municipality has come with one helpful method: one row per method."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    method = models.CharField(_("method"), max_length=30, choices=HelpfulMethod.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ChecklistStatus.choices, default="not_started"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["method"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "method"], name="checklist_one_per_method"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method}: {self.status}"


class InquiryMonthTotal(models.Model):
    """Stored monthly totals of the inquiry log: inquiries of one site in one local month
    (the site's time zone, recorded in ``time_zone``) by domain and channel, how many of
    them were marked as a new user and how many were marked new or returning at all. Maintained by
    :func:`torg.evaluation.inquiry_totals.inquiry_totals_refresh` from the months that
    :class:`InquiryDirtyDay` marks; never edited by hand. The evaluation reads its
    monthly panels and whole-month breakdowns from here, so that a report over millions
    of inquiries groups thousands of rows instead of millions."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First local day of the month.")
    time_zone = models.CharField(max_length=64)
    domain = models.CharField(max_length=20)
    channel = models.CharField(max_length=20)
    inquiries = models.PositiveIntegerField()
    new_users = models.PositiveIntegerField()
    #: Inquiries marked new or returning: a month where none is marked has no figure for
    #: new users (missing, not zero).
    user_type_marked = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "site", "month", "domain", "channel"],
                name="inquiry_month_total_unique",
            )
        ]
        indexes = [models.Index(fields=["municipality", "month"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m} {self.domain} {self.channel}: {self.inquiries}"


class InquiryDirtyDay(models.Model):
    """A UTC day on which an inquiry of the municipality was added, changed or deleted
    since the monthly totals were last brought up to date. Written by database triggers
    on the inquiry table (migration ``0003``), so that every path that writes inquiries
    (desk, API, imports, bulk SQL) marks its days; no foreign key, because the triggers
    fire while a municipality's inquiries are deleted with it."""

    municipality_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality_id", "day"], name="inquiry_dirty_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.day}"
