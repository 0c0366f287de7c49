"""Staff, shift templates, demand and rosters of a municipality (issue 6).

The solver itself lives in :mod:`torg.rostering` (no Django); :mod:`torg.rosters.services`
turns these rows into its dataclasses and stores what it returns. Competences are the
catalogue's domains (``library``, ``municipal``): who can handle which inquiries.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality, Site

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Competence(models.TextChoices):
    LIBRARY = "library", _("Library")
    MUNICIPAL = "municipal", _("Municipal services")


class StaffMember(models.Model):
    """A person on the roster: contract share of a full-time week of ``weekly_hours``."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200)
    home_site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="staff")
    contract_share = models.DecimalField(
        _("share of full time"), max_digits=4, decimal_places=3, default=1
    )
    weekly_hours = models.DecimalField(
        _("full-time weekly hours"), max_digits=4, decimal_places=2, default=37.5
    )
    competences = models.JSONField(_("competences"), default=list, blank=True)
    extra_sites = models.ManyToManyField(
        Site, blank=True, related_name="substitutes", verbose_name=_("may also cover")
    )
    preferred_shifts = models.JSONField(_("preferred shift codes"), default=list, blank=True)
    unwanted_shifts = models.JSONField(_("unwanted shift codes"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_share__gt=0) & Q(contract_share__lte=1),
                name="rosters_staff_share_0_1",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    """Job shadowing: ``staff`` works at least ``shifts`` shifts at ``site`` in every roster
    period solved while the placement exists."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="placements")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="placements")
    shifts = models.PositiveSmallIntegerField(_("shifts per period"))

    def __str__(self) -> str:
        return f"{self.staff_id} → {self.site_id} × {self.shifts}"


class Absence(models.Model):
    """Days (inclusive, local calendar) a staff member cannot work."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="absences")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="rosters_absence_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}: {self.first_day}–{self.last_day}"


class ShiftTemplate(models.Model):
    """A shift pattern at a site; ``ends <= starts`` means it ends the next day."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="shift_templates")
    code = models.SlugField(_("code"), max_length=40)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    weekdays = models.JSONField(_("weekdays"), default=list)

    class Meta:
        ordering = ["site", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="rosters_shift_code"),
            models.CheckConstraint(condition=~Q(starts=F("ends")), name="rosters_shift_length"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts:%H:%M}–{self.ends:%H:%M}"


class DemandSlot(models.Model):
    """Weekly demand: at least ``minimum`` people (with ``competence``, blank: anyone) at
    ``site`` on ``weekday`` from ``starts`` to ``ends`` (local time)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="demand_slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    minimum = models.PositiveSmallIntegerField(_("minimum people"))
    competence = models.CharField(
        _("competence"), max_length=20, choices=Competence.choices, blank=True
    )

    class Meta:
        ordering = ["site", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="rosters_demand_order")
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.starts:%H:%M}–{self.ends:%H:%M} ≥ {self.minimum}"


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Roster(models.Model):
    """One version of the roster of a period (``weeks`` weeks from Monday ``period_start``)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    period_start = models.DateField(_("first Monday"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=RosterStatus.choices, default=RosterStatus.DRAFT
    )
    solver_status = models.CharField(_("solver result"), max_length=20, blank=True)
    objective = models.FloatField(_("objective"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    rules = models.JSONField(
        _("rules"),
        default=dict,
        blank=True,
        help_text=_("The limits and softened rules the roster was made and is checked with."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "period_start", "version"], name="rosters_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start} v{self.version}"

    @property
    def period_end(self) -> dt.date:
        return self.period_start + dt.timedelta(days=7 * self.weeks - 1)

    def own_assignments(self) -> models.QuerySet[Assignment]:
        """The roster's assignments that belong to its municipality (never a stray row of
        another municipality pointing at this roster)."""
        return Assignment.objects.filter(municipality_id=self.municipality_id, roster=self)

    def own_shortfalls(self) -> models.QuerySet[Shortfall]:
        """The roster's unmet demand, scoped to its municipality like the assignments."""
        return Shortfall.objects.filter(municipality_id=self.municipality_id, roster=self)


class Assignment(models.Model):
    """One person on one shift starting on local ``day``."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT)

    class Meta:
        ordering = ["day", "shift__starts", "staff__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "staff", "day", "shift"], name="rosters_assignment_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.day} {self.shift_id}"


class Shortfall(models.Model):
    """Unmet demand of a roster: ``missing`` people short at ``site`` in the slot."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shortfalls")
    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    competence = models.CharField(_("competence"), max_length=20, blank=True)
    missing = models.PositiveSmallIntegerField(_("missing people"))

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.site_id} {self.starts_at:%Y-%m-%d %H:%M} −{self.missing}"
