"""The organisation: municipalities (the tenants), sites, service points, opening hours,
the dated history of each site's organisational model, and who belongs where.

Every tenant-owned row in Torg carries a ``municipality`` foreign key, so that one helper
(:mod:`torg.organisation.scoping`) can scope every query with a single filter.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Reject anything that is not an IANA time zone name, e.g. ``Europe/Oslo``."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone such as Europe/Oslo."),
            params={"value": value},
        )


class Municipality(models.Model):
    """The tenant. Every record in Torg belongs to exactly one municipality.

    ``number`` is the official code in its country: the four-digit *kommunenummer* in
    Norway (Statistics Norway), the ISTAT code in Italy, the ONS/GSS code of an English
    library authority, the census subdivision code in Canada.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    number = models.CharField(_("municipality number"), max_length=20)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    data_source = models.TextField(
        _("data source"),
        blank=True,
        help_text=_("Where the data of a demo municipality comes from."),
    )
    data_licence = models.CharField(_("data licence"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "number"], name="municipality_unique_number_per_country"
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="municipality_country_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do in a municipality (see :mod:`torg.organisation.roles`)."""

    DESK_STAFF = "desk_staff", _("Desk staff")
    MANAGER = "manager", _("Manager")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Roles whose view of a municipality a membership's ``sites`` can narrow.
SITE_BOUND_ROLES = frozenset({Role.DESK_STAFF, Role.MANAGER})


class Membership(models.Model):
    """A user's role in one municipality. A user may belong to several.

    ``sites`` narrows what desk staff and managers see and do to those sites (their
    inquiries, visit counts, events, opening hours and reports); an empty set means every
    site of the municipality, which suits a municipality with one building. Analysts and
    administrators always see the whole municipality (:data:`SITE_BOUND_ROLES`). The sites
    must belong to the membership's municipality (:meth:`clean`, and the services that
    assign them).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    sites: models.ManyToManyField[Site, Any] = models.ManyToManyField(
        "Site",
        blank=True,
        related_name="memberships",
        verbose_name=_("sites"),
        help_text=_(
            "Desk staff and managers see only these sites. Leave empty for every site of the "
            "municipality. Analysts and administrators always see the whole municipality."
        ),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"], name="membership_one_role_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.municipality}: {self.role}"

    def site_ids(self) -> frozenset[int] | None:
        """The ids of the sites this member is bound to, or ``None`` for every site (an
        analyst or administrator, or a membership without sites)."""
        if self.role not in SITE_BOUND_ROLES or self.pk is None:
            return None
        ids = frozenset(self.sites.values_list("pk", flat=True))
        return ids or None


class SiteKind(models.TextChoices):
    LIBRARY = "library", _("Library")
    CITIZEN_SERVICE_CENTRE = "citizen_service_centre", _("Citizen service centre")
    JOINT = "joint", _("Joint library and citizen service centre")


class Site(models.Model):
    """A building or branch. Its IANA time zone decides the local day of everything in it.

    ``business_day_starts`` is the local wall-clock time at which its business day begins
    (midnight by default), used to put inquiries on days and weekdays in the statistics
    (:mod:`torg.lib.business_day`).

    ``code`` is an optional short identifier from a source system (a branch code, say);
    ``is_aggregate`` marks a site that stands for a group of buildings in a source that
    only publishes totals (England's "all shared buildings" of an authority).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Oslo", validators=[validate_time_zone]
    )
    kind = models.CharField(_("kind"), max_length=30, choices=SiteKind.choices)
    is_aggregate = models.BooleanField(
        _("aggregate of several buildings"),
        default=False,
        help_text=_("The source only reports totals for a group of buildings."),
    )
    opened_year = models.PositiveSmallIntegerField(
        _("opened at present site"), null=True, blank=True
    )
    business_day_starts = models.TimeField(
        _("business day starts"),
        default=dt.time(0),
        help_text=_(
            "Local time at which the site's day begins in statistics. A service open past "
            "midnight sets e.g. 03:00, so that a contact at 01:30 counts on the day before."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="site_unique_name_per_municipality"
            ),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=~Q(code=""),
                name="site_unique_code_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class ServicePointKind(models.TextChoices):
    DESK = "desk", _("Desk")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("E-mail")
    DIGITAL_FORM = "digital_form", _("Digital form or app")


class ServicePoint(models.Model):
    """A desk in a site, or a virtual channel (phone, chat, e-mail, digital form)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="service_points"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="service_points")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ServicePointKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["site__name", "name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="service_point_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.site.name}: {self.name}"

    def clean(self) -> None:
        if (
            self.site_id
            and self.municipality_id
            and self.site.municipality_id != self.municipality_id
        ):
            raise ValidationError(_("The site belongs to another municipality."))


class OpeningHoursKind(models.TextChoices):
    STAFFED = "staffed", _("Staffed")
    SELF_SERVICE = "self_service", _("Self-service (meråpent)")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval of a site on a weekday, in the site's local wall-clock time.

    Staffed and self-service (*meråpent*) hours are separate rows. ``valid_from`` and
    ``valid_to`` (inclusive local dates, ``valid_to`` empty for "until further notice")
    date the timetable.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    kind = models.CharField(_("kind"), max_length=20, choices=OpeningHoursKind.choices)
    valid_from = models.DateField(_("valid from"), default=dt.date(2000, 1, 1))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["site__name", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_hours_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="opening_hours_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.site.name} {self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
        )

    @property
    def duration_hours(self) -> float:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.opens)
        end = dt.datetime.combine(dt.date(2000, 1, 1), self.closes)
        return (end - start).total_seconds() / 3600


class OrganisationalModel(models.TextChoices):
    """The four models described by the project "Beste praksis for bibliotek og
    innbyggertorg" (Drammen and Indre Østfold, 2021–2023)."""

    TOTAL = "total", _("Total cooperation")
    HYBRID = "hybrid", _("Hybrid cooperation")
    ONE_DOOR_IN = "one_door_in", _("One door in")
    PAC_MAN = "pac_man", _("“Pac-man”")


class SiteModelPeriod(models.Model):
    """The organisational model of a site from ``valid_from`` to ``valid_to`` (inclusive
    local dates; ``valid_to`` empty while it lasts). Periods of one site never overlap: the
    database refuses it (a trigger on SQLite, an exclusion constraint on PostgreSQL; see
    migration 0002). The change dates drive every before/after comparison.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="model_periods")
    model = models.CharField(
        _("organisational model"), max_length=20, choices=OrganisationalModel.choices
    )
    co_organised = models.BooleanField(_("co-organised (shared management)"), default=True)
    co_located = models.BooleanField(_("co-located (shared building)"), default=False)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["site__name", "valid_from"]
        verbose_name = _("organisational model period")
        verbose_name_plural = _("organisational model periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="site_model_period_valid_range",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.site.name}: {self.get_model_display()} {self.valid_from}–{end}"
