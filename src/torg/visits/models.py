"""Visits, events and the national annual library statistics (thin for now; the visits
issue deepens them).

Zero is not missing: a ``VisitCount`` row with ``count=0`` says somebody looked and nobody
came; a period with no row has no observation. The same holds for the nullable figures of
:class:`AnnualLibraryStatistics`, where ``None`` means the source left the cell empty.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import Municipality, Site
from torg.visits.counters import CounterDirection


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
    # db_default too: raw inserts (the import benchmark's baseline) need not name them.
    is_estimate = models.BooleanField(_("estimate"), default=False, db_default=False)
    estimate_reason = models.CharField(
        _("why an estimate"),
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text=_("Required for an estimate: what was estimated and how."),
    )
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
            models.CheckConstraint(
                condition=Q(is_estimate=False) | ~Q(estimate_reason=""),
                name="visit_count_estimate_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "period_start"]),
            # Covering index for monthly totals (torg.visits.series.monthly_totals): a
            # month's rows are summed from the index alone.
            models.Index(
                fields=["municipality", "period_start", "site", "period_end", "count"],
                name="visit_count_month_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.period_start:%Y-%m-%d}: {self.count}"


class VisitDayTotal(models.Model):
    """Stored daily totals of :class:`VisitCount` (a rollup kept by
    :mod:`torg.visits.totals`): the visits of the counts of ``site`` and ``entrance`` whose
    period starts on the site's business day ``day`` and ends in business day
    ``last_day`` (the same day for every count no longer than the day; a weekly or monthly
    count ends on a later one). ``counts`` is the number of rows summed (so 0 visits from
    one row is an observed zero; no row is missing) and ``estimates`` how many of them
    are flagged as estimates.

    Derived data: never written by hand. Database triggers mark every change to a visit
    count (and to a site's zone or business-day start) in :class:`VisitTotalStale`, and
    :func:`torg.visits.totals.visit_totals_refresh` recomputes the marked days from the
    raw rows before anything reads the rollup.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="visit_day_totals"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="visit_day_totals")
    entrance = models.CharField(_("entrance"), max_length=100, blank=True, default="")
    day = models.DateField(_("business day"))
    last_day = models.DateField(_("last business day"))
    visits = models.PositiveBigIntegerField(_("visits"), default=0)
    counts = models.PositiveIntegerField(_("counts"), default=0)
    estimates = models.PositiveIntegerField(_("estimates"), default=0)
    #: The first day of the month that holds both ``day`` and ``last_day``; empty for
    #: counts that run into the next month (they are in no month, as in the month view).
    month = models.DateField(_("month"), null=True, blank=True)

    class Meta:
        ordering = ["site", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "entrance", "day", "last_day"],
                name="visit_day_total_one_per_site_entrance_days",
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("day")), name="visit_day_total_days_ordered"
            ),
        ]
        indexes = [
            # Covering index for monthly totals: a month's rows are summed from it alone.
            models.Index(
                fields=["municipality", "month", "site", "visits"],
                name="visit_day_total_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.day}: {self.visits}"


class VisitTotalStale(models.Model):
    """A mark that the rollup :class:`VisitDayTotal` of site ``site_id`` is out of date for
    the counts starting on UTC date ``utc_day`` (``None``: for the whole site, after its
    zone or business-day start changed). Written only by database triggers on
    ``visits_visitcount`` and ``organisation_site`` (migration ``visits/0004``), consumed
    by :func:`torg.visits.totals.visit_totals_refresh`. Plain ids, no foreign keys: a
    mark may outlive the rows it names (a deleted site's marks are simply dropped)."""

    municipality_id = models.BigIntegerField()
    site_id = models.BigIntegerField()
    utc_day = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site_id", "utc_day"], name="visit_total_stale_once"),
        ]
        indexes = [models.Index(fields=["municipality_id"], name="visit_total_stale_muni")]

    def __str__(self) -> str:
        return f"site {self.site_id} {self.utc_day or 'all days'}"


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
    in_partnership = models.BooleanField(
        _("in partnership"), default=False, help_text=_("Not the library's own event.")
    )
    joint_with_citizen_service = models.BooleanField(
        _("joint library and citizen service event"), default=False
    )
    for_schools_kindergartens = models.BooleanField(
        _("for schools or kindergartens"), default=False
    )
    series = models.ForeignKey(
        "EventSeries", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
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


class CountChangeAction(models.TextChoices):
    CREATE = "create", _("Recorded")
    UPDATE = "update", _("Corrected")
    DELETE = "delete", _("Deleted")


class VisitCountChange(models.Model):
    """One entry of the audit trail of visit counts: who recorded, corrected or deleted
    which count, when, and the values before and after (JSON: ISO 8601 UTC for instants,
    ids for sites). ``create``: ``before`` empty; ``update``: only the changed fields;
    ``delete``: ``before`` is the full snapshot. ``visit_count_number`` keeps the id after
    a deletion."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="visit_count_changes"
    )
    visit_count = models.ForeignKey(
        VisitCount, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    visit_count_number = models.PositiveBigIntegerField(_("count id"))

    #: How a site-bound member's view reaches the site (see torg.organisation.scoping).
    site_scope: ClassVar[str] = "visit_count__site"
    action = models.CharField(_("action"), max_length=10, choices=CountChangeAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("changed"))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("visit count change")
        verbose_name_plural = _("visit count changes")
        indexes = [models.Index(fields=["municipality", "visit_count_number"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.visit_count_number} {self.changed_at:%Y-%m-%d %H:%M}"


class EventChange(models.Model):
    """One entry of the audit trail of events: who recorded, corrected or deleted which
    event, when, and the values before and after (JSON: ISO 8601 UTC for instants, ids
    for sites, the series' title), as :class:`VisitCountChange` for counts. ``create``:
    ``before`` empty; ``update``: only the changed fields; ``delete``: ``before`` is the
    full snapshot. ``event_number`` keeps the id after a deletion."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="event_changes"
    )
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    event_number = models.PositiveBigIntegerField(_("event id"))

    site_scope: ClassVar[str] = "event__site"
    action = models.CharField(_("action"), max_length=10, choices=CountChangeAction.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("changed"))
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")
        indexes = [models.Index(fields=["municipality", "event_number"])]

    def __str__(self) -> str:
        return f"{self.action} event #{self.event_number} {self.changed_at:%Y-%m-%d %H:%M}"


class DoorCounter(models.Model):
    """An automatic counter at one entrance of a site that shows a cumulative meter value
    (see :mod:`torg.visits.counters`). ``modulus`` is the value at which the meter rolls
    over to 0 (empty: it never does); ``step_minutes`` is how often it is read."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="door_counters"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="door_counters")
    entrance = models.CharField(_("entrance"), max_length=100, blank=True, default="")
    direction = models.CharField(
        _("counts"),
        max_length=20,
        choices=[
            (CounterDirection.BIDIRECTIONAL.value, _("In and out (visits are half)")),
            (CounterDirection.UNIDIRECTIONAL.value, _("Entries only")),
        ],
    )
    modulus = models.PositiveBigIntegerField(_("rolls over at"), null=True, blank=True)
    step_minutes = models.PositiveIntegerField(_("minutes between readings"), default=60)

    class Meta:
        ordering = ["site__name", "entrance"]
        verbose_name = _("door counter")
        verbose_name_plural = _("door counters")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "entrance"], name="door_counter_one_per_site_entrance"
            ),
            models.CheckConstraint(condition=Q(step_minutes__gt=0), name="door_counter_step"),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.entrance}".strip()


class CounterReading(models.Model):
    """One meter value of a :class:`DoorCounter` read at an instant (UTC)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="counter_readings"
    )
    counter = models.ForeignKey(DoorCounter, on_delete=models.CASCADE, related_name="readings")
    read_at = models.DateTimeField(_("read at"))

    site_scope: ClassVar[str] = "counter__site"
    value = models.PositiveBigIntegerField(_("meter value"))

    class Meta:
        ordering = ["counter", "read_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "read_at"], name="counter_reading_one_per_instant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.counter} {self.read_at:%Y-%m-%d %H:%M}: {self.value}"


class ZoneService(models.TextChoices):
    """Whose users are in a zone of a joint building, for attribution by head counts."""

    LIBRARY = "library", _("Library")
    CITIZEN_SERVICE = "citizen_service", _("Citizen service")
    SHARED = "shared", _("Shared (both)")


class ZoneHeadCount(models.Model):
    """A manual head count of the people present in one zone of a site at one instant
    (a *sweep* counts every zone at about the same time; ``sweep_at`` names it).
    ``count`` 0 means the zone was counted and empty; a zone not counted has no row."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="zone_head_counts"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="zone_head_counts")
    sweep_at = models.DateTimeField(_("sweep time"))
    zone = models.CharField(_("zone"), max_length=100)
    service = models.CharField(_("used by"), max_length=20, choices=ZoneService.choices)
    count = models.PositiveIntegerField(_("people present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["site__name", "sweep_at", "zone"]
        verbose_name = _("zone head count")
        verbose_name_plural = _("zone head counts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "sweep_at", "zone"], name="zone_head_count_one_per_sweep_zone"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.zone} {self.sweep_at:%Y-%m-%d %H:%M}: {self.count}"


class AttributionMethod(models.TextChoices):
    FIXED_SHARE = "fixed_share", _("Fixed share set by the manager")
    INQUIRY_SHARE = "inquiry_share", _("Share of inquiries by domain")
    ZONE_SAMPLE = "zone_sample", _("Sampled head counts by zone")


class EntranceAttribution(models.Model):
    """How the door counts of a joint site are split between the library and the citizen
    service from local day ``valid_from`` to ``valid_to`` (inclusive; empty: open).
    ``library_share`` (0–1) is required for a fixed share and unused otherwise."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="entrance_attributions"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="attributions")
    method = models.CharField(_("method"), max_length=20, choices=AttributionMethod.choices)
    library_share = models.DecimalField(
        _("library share"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["site__name", "valid_from"]
        verbose_name = _("entrance attribution")
        verbose_name_plural = _("entrance attributions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="fixed_share")
                | (Q(library_share__gte=0) & Q(library_share__lte=1)),
                name="attribution_fixed_share_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="attribution_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.method} {self.valid_from}"


class AttributedVisits(models.Model):
    """The library's share of a joint site's door count for local days ``first_day`` to
    ``last_day``, stored with the method and its band (see
    :mod:`torg.visits.attribution`): ``library_visits`` is the point figure, ``library_low``
    and ``library_high`` the 95 % band. ``sample_size`` is the number of inquiries or
    people counted behind a sampled share (empty for a fixed share)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="attributed_visits"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="attributed_visits")
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    method = models.CharField(_("method"), max_length=20, choices=AttributionMethod.choices)
    door_visits = models.PositiveIntegerField(_("door count"))
    library_share = models.FloatField(_("library share"))
    library_visits = models.PositiveIntegerField(_("library visits"))
    library_low = models.PositiveIntegerField(_("band low"))
    library_high = models.PositiveIntegerField(_("band high"))
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    missing_periods = models.PositiveIntegerField(_("periods without a count"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["site__name", "first_day"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "first_day", "last_day"], name="attributed_visits_one_per_range"
            ),
            models.CheckConstraint(
                condition=Q(library_low__lte=models.F("library_visits"))
                & Q(library_visits__lte=models.F("library_high")),
                name="attributed_visits_band_holds_figure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.name} {self.first_day}–{self.last_day}: {self.library_visits}"


class EventSeries(models.Model):
    """A recurring series of events (a weekly reading club, say); each occurrence is an
    :class:`Event` that points at it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="event_series"
    )
    title = models.CharField(_("title"), max_length=300)
    recurrence = models.CharField(_("recurrence"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["title"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title


class EventNameMapping(models.Model):
    """An editable row of the table that maps an event name in an imported log to a type
    and audience. ``name_key`` is the name case-folded with runs of spaces made one
    (:func:`event_name_key`), so "Other Child 5+" and "other child  5+" are one row."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="event_name_mappings"
    )
    source = models.CharField(_("source"), max_length=40)
    name_key = models.CharField(_("event name"), max_length=300)
    event_type = models.CharField(_("type"), max_length=30, choices=EventType.choices)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    for_schools_kindergartens = models.BooleanField(
        _("for schools or kindergartens"), default=False
    )

    class Meta:
        ordering = ["source", "name_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "source", "name_key"], name="event_name_mapping_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.name_key}"


def event_name_key(name: str) -> str:
    """The comparison key of an event name: case-folded, spaces collapsed."""
    return " ".join(name.split()).casefold()
