"""Visits, events and the national annual library statistics (thin for now; the visits
issue deepens them).

Zero is not missing: a ``VisitCount`` row with ``count=0`` says somebody looked and nobody
came; a period with no row has no observation. The same holds for the nullable figures of
:class:`AnnualLibraryStatistics`, where ``None`` means the source left the cell empty.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality, Site


class CountMethod(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic counter")
    MANUAL = "manual", _("Manual head count")
    ESTIMATE = "estimate", _("Estimate")
    REPORTED = "reported", _("Reported total (method not stated)")


class VisitCount(models.Model):
    """The number of visits to a site (through one entrance, or all: ``entrance=""``) in the
    half-open period [``period_start``, ``period_end``), both instants stored in UTC.

    One figure per site, entrance and period: the database refuses a second one, which is
    also what makes a re-import add nothing.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="visit_counts"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="visit_counts")
    entrance = models.CharField(_("entrance"), max_length=100, blank=True, default="")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    count = models.PositiveIntegerField(_("visits"))
    method = models.CharField(_("method"), max_length=20, choices=CountMethod.choices)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["site__name", "period_start"]
        verbose_name = _("visit count")
        verbose_name_plural = _("visit counts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "entrance", "period_start", "period_end"],
                name="visit_count_one_per_site_entrance_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="visit_count_period_not_empty",
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="visit_count_not_negative"),
        ]
        indexes = [models.Index(fields=["municipality", "period_start"])]

    def __str__(self) -> str:
        return f"{self.site.name} {self.period_start:%Y-%m-%d}: {self.count}"


class EventType(models.TextChoices):
    """The National Library's categories (debatt, kultur, opplæring, bibliotekinfo) plus
    the citizen service centre's own kinds."""

    TALK_DEBATE = "talk_debate", _("Debate or talk")
    CULTURE = "culture", _("Culture")
    TRAINING = "training", _("Training or course")
    LIBRARY_INFORMATION = "library_information", _("Library information")
    INFORMATION_MEETING = "information_meeting", _("Information meeting")
    DIGITAL_HELP = "digital_help", _("Digital help")
    UNSPECIFIED = "unspecified", _("Not specified")


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    YOUNG_PEOPLE = "young_people", _("Young people")
    ADULTS = "adults", _("Adults")
    ALL = "all", _("All ages")


class Event(models.Model):
    """An event (talk, course, activity) or, for sources that publish only totals, a
    number of events (``occurrences``) in the period [``starts_at``, ``ends_at``).

    ``attendance`` is ``None`` when it was not recorded; 0 when nobody came. Likewise
    ``occurrences`` is ``None`` when a source reports the attendance of a group of events
    but not how many there were, and 0 when it reports that there were none. ``site`` is
    empty when the source does not say where.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="events")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    event_type = models.CharField(_("type"), max_length=30, choices=EventType.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    occurrences = models.PositiveIntegerField(
        _("number of events"),
        null=True,
        blank=True,
        default=1,
        help_text=_("Empty when a source reports attendance but not the number of events."),
    )
    is_digital = models.BooleanField(_("digital"), default=False)
    source_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "source_key"], name="event_unique_source_key"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title or self.get_event_type_display()} {self.starts_at:%Y-%m-%d}"


class AnnualLibraryStatistics(models.Model):
    """One municipality's figures in a national annual library statistics file.

    This is public reference data, not tenant data: every user may compare with it. Field
    names follow the Norwegian National Library's form (*folkebibliotekstatistikk*); ``None``
    means the source cell was empty. ``extra`` keeps every other column of the source row,
    keyed by its header, so nothing in the file is lost.
    """

    country = models.CharField(max_length=2)
    year = models.PositiveSmallIntegerField()
    municipality_number = models.CharField(max_length=20)
    municipality_name = models.CharField(max_length=200)
    county_number = models.CharField(max_length=20, blank=True)

    population_total = models.PositiveIntegerField(null=True)
    population_children = models.PositiveIntegerField(null=True, help_text="Aged 0–14.")
    visits_total = models.PositiveIntegerField(null=True)
    visits_staffed_hours = models.PositiveIntegerField(null=True)

    events_total = models.PositiveIntegerField(null=True, help_text="All kinds, own and external.")
    events_attendance = models.PositiveIntegerField(null=True)
    own_events_debate = models.PositiveIntegerField(null=True)
    own_events_debate_children = models.PositiveIntegerField(null=True)
    own_events_debate_attendance = models.PositiveIntegerField(null=True)
    own_events_culture = models.PositiveIntegerField(null=True)
    own_events_culture_children = models.PositiveIntegerField(null=True)
    own_events_culture_attendance = models.PositiveIntegerField(null=True)
    own_events_training = models.PositiveIntegerField(null=True)
    own_events_training_children = models.PositiveIntegerField(null=True)
    own_events_training_attendance = models.PositiveIntegerField(null=True)
    own_events_library_information = models.PositiveIntegerField(null=True)
    own_events_library_information_children = models.PositiveIntegerField(null=True)
    own_events_library_information_attendance = models.PositiveIntegerField(null=True)
    external_events_debate = models.PositiveIntegerField(null=True)
    external_events_debate_children = models.PositiveIntegerField(null=True)
    external_events_debate_attendance = models.PositiveIntegerField(null=True)
    external_events_culture = models.PositiveIntegerField(null=True)
    external_events_culture_children = models.PositiveIntegerField(null=True)
    external_events_culture_attendance = models.PositiveIntegerField(null=True)
    external_events_training = models.PositiveIntegerField(null=True)
    external_events_training_children = models.PositiveIntegerField(null=True)
    external_events_training_attendance = models.PositiveIntegerField(null=True)
    events_schools_kindergartens = models.PositiveIntegerField(null=True)
    events_schools_kindergartens_attendance = models.PositiveIntegerField(null=True)
    events_digital = models.PositiveIntegerField(null=True)
    events_digital_attendance = models.PositiveIntegerField(null=True)

    loans_first_time_total = models.PositiveIntegerField(null=True)
    staffed_hours_main_before_17 = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, help_text="Hours a week, main library."
    )
    staffed_hours_main_after_17 = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    staffed_weeks_main = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    self_service_hours_main = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, help_text="Meråpent hours a week, main library."
    )
    staffed_hours_branches_before_17 = models.DecimalField(
        max_digits=8, decimal_places=2, null=True
    )
    staffed_hours_branches_after_17 = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    self_service_hours_branches = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    library_units = models.PositiveIntegerField(null=True)
    full_time_equivalents = models.DecimalField(max_digits=8, decimal_places=2, null=True)

    extra = models.JSONField(default=dict, blank=True)
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["country", "year", "municipality_name"]
        verbose_name = _("annual library statistics")
        verbose_name_plural = _("annual library statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "year", "municipality_number"],
                name="annual_statistics_one_per_municipality_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_name} {self.year}"
