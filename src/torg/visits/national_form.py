"""The figures Torg can know for a municipality's annual national library statistics
(Nasjonalbiblioteket's *folkebibliotekstatistikk*), laid out like the form, each with its
status and source.

Every figure is a :class:`FormFigure`: a value (``None`` when Torg does not know it), a
:class:`FigureStatus` and a plain-language source. The status says how the value was
obtained:

* ``counted``: from counts and events recorded in Torg;
* ``attributed``: a joint site's library visits split from a shared door count
  (:mod:`torg.visits.attribution`; the source names the method and the 95 % band);
* ``estimated``: at least one count behind it is flagged as an estimate;
* ``missing``: Torg has nothing to give (the value is empty, never 0).

``complete`` is false when a value exists but some of what it should cover has no count
(months of a site without a count, events without recorded attendance, a joint site
without an attribution); the source then says what is left out.

**Which sites.** Library and joint sites (kind ``library`` or ``joint``); citizen service
centres are not libraries. A library site's visits are its counts of the year; a joint
site's are its attributed library visits (:class:`~torg.visits.models.AttributedVisits`
whose days lie in the year); a joint site without an attribution contributes nothing and
is named as missing.

**The year** is the site's business days 1 January to 31 December (counts belong where
they start and must end within the year). A month counts as covered when some count of
the site overlaps it.

**Visits in staffed hours** come from counts of at most one hour whose local start lies in
a staffed opening interval of that weekday (:class:`~torg.organisation.models.OpeningHours`
valid that day). A site whose counts of the year are longer than an hour cannot be split
and is missing. For a joint site the staffed door visits are multiplied by its attributed
share over the year.

**Events** start in the year (local day of their site; the municipality's zone without a
site). Own events are those not in partnership; "for children" is the audience children.
When no event at all is recorded for the year, every event figure is missing (Torg cannot
tell "no events" from "not recorded"); otherwise a category without events is 0.

**Opening hours** are the hours a week of the timetable valid on 15 September (a normal
week outside the holidays), staffed before and after 17:00 and self-service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from torg.lib.business_day import business_day_bounds
from torg.organisation.models import (
    Municipality,
    OpeningHours,
    OpeningHoursKind,
    Site,
    SiteKind,
)
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.visits.models import (
    AttributedVisits,
    Audience,
    EventType,
    VisitCount,
)
from torg.visits.selectors import EventFilters, event_list

NATIONAL_CATEGORIES = (
    EventType.TALK_DEBATE,
    EventType.CULTURE,
    EventType.TRAINING,
    EventType.LIBRARY_INFORMATION,
)
TORG_CATEGORIES = (EventType.INFORMATION_MEETING, EventType.DIGITAL_HELP, EventType.UNSPECIFIED)
FIVE_PM = dt.time(17)
ONE_HOUR = dt.timedelta(hours=1)


class FigureStatus(StrEnum):
    COUNTED = "counted"
    ATTRIBUTED = "attributed"
    ESTIMATED = "estimated"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {
            "counted": _("counted"),
            "attributed": _("attributed"),
            "estimated": _("estimated"),
            "missing": _("missing"),
        }[self.value]


#: Worst first: a sum takes the status of its least certain part.
_ORDER = [FigureStatus.ESTIMATED, FigureStatus.ATTRIBUTED, FigureStatus.COUNTED]


@dataclass(frozen=True)
class FormFigure:
    """One line of the form. ``value`` is a whole number or, for hours, a Decimal."""

    section: str
    label: str
    value: int | Decimal | None
    status: FigureStatus
    source: str
    complete: bool = True


@dataclass(frozen=True)
class NationalForm:
    municipality: Municipality
    year: int
    figures: tuple[FormFigure, ...] = field(default_factory=tuple)
    #: Only some of the municipality's sites (a member bound to sites): not the
    #: municipality's figures, and the page and exports say so.
    partial: bool = False

    def __iter__(self) -> Iterator[FormFigure]:
        return iter(self.figures)

    def get(self, label: str) -> FormFigure:
        """The figure with ``label`` (for tests and callers that know the labels)."""
        return next(f for f in self.figures if f.label == label)


def _missing(section: str, label: str, source: str) -> FormFigure:
    return FormFigure(section, label, None, FigureStatus.MISSING, source, complete=False)


def _combine(section: str, label: str, parts: list[FormFigure], what: str) -> FormFigure:
    """The sum of the parts that have a value, with the least certain status among them;
    incomplete when a part is missing or incomplete; missing when no part has a value."""
    known = [p for p in parts if p.value is not None]
    if not known:
        return _missing(section, label, _("No site has %(what)s.") % {"what": what})
    status = next(s for s in _ORDER if any(p.status is s for p in known))
    gaps = [p for p in parts if p.value is None or not p.complete]
    source = _("Sum of %(n)s site(s).") % {"n": len(known)}
    if gaps:
        source += " " + _("Incomplete: %(sites)s.") % {"sites": "; ".join(p.label for p in gaps)}
    total: int | Decimal = 0
    for part in known:
        assert part.value is not None
        total += part.value
    return FormFigure(
        section,
        label,
        total,
        status,
        source,
        complete=not gaps,
    )


def _months_touched(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> set[int]:
    first = start.astimezone(tz)
    last = (end - dt.timedelta(microseconds=1)).astimezone(tz)
    months, year, month = set(), first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.add(month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _staffed_intervals(site: Site, year: int) -> list[OpeningHours]:
    return list(
        scoped(OpeningHours, site.municipality).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)),
            site=site,
            kind=OpeningHoursKind.STAFFED,
            valid_from__lte=dt.date(year, 12, 31),
        )
    )


def _is_staffed(local: dt.datetime, intervals: Iterable[OpeningHours]) -> bool:
    day, moment = local.date(), local.time()
    return any(
        h.weekday == local.weekday()
        and h.valid_from <= day
        and (h.valid_to is None or day <= h.valid_to)
        and h.opens <= moment < h.closes
        for h in intervals
    )


@dataclass
class _SiteVisits:
    total: int = 0
    staffed: int = 0
    staffed_known: bool = True
    rows: int = 0
    estimated: bool = False
    months: set[int] = field(default_factory=set)


def _site_visits(site: Site, year: int) -> _SiteVisits:
    start, end = business_day_bounds(
        dt.date(year, 1, 1), dt.date(year, 12, 31), site.business_day_starts, site.time_zone
    )
    result = _SiteVisits()
    intervals = _staffed_intervals(site, year)
    result.staffed_known = bool(intervals)
    tz = site.zone
    rows = scoped(VisitCount, site.municipality).filter(
        site=site, period_start__gte=start, period_end__lte=end
    )
    for period_start, period_end, count, is_estimate in rows.values_list(
        "period_start", "period_end", "count", "is_estimate"
    ).order_by():
        result.rows += 1
        result.total += count
        result.estimated = result.estimated or is_estimate
        result.months |= _months_touched(period_start, period_end, tz)
        if period_end - period_start > ONE_HOUR:
            result.staffed_known = False
        elif result.staffed_known and _is_staffed(period_start.astimezone(tz), intervals):
            result.staffed += count
    return result


def _visit_figures(municipality: Municipality | Tenancy, year: int) -> list[FormFigure]:
    section = _("Visits")
    sites = scoped(Site, municipality).filter(kind__in=[SiteKind.LIBRARY, SiteKind.JOINT])
    totals: list[FormFigure] = []
    staffed: list[FormFigure] = []
    for site in sites.order_by("name"):
        counted = _site_visits(site, year)
        missing_months = 12 - len(counted.months)
        coverage = (
            _("%(n)s of 12 months without a count") % {"n": missing_months}
            if missing_months
            else _("every month has counts")
        )
        counted_status = FigureStatus.ESTIMATED if counted.estimated else FigureStatus.COUNTED
        if site.kind == SiteKind.JOINT:
            attributed = list(
                scoped(AttributedVisits, municipality).filter(
                    site=site,
                    first_day__gte=dt.date(year, 1, 1),
                    last_day__lte=dt.date(year, 12, 31),
                )
            )
            if not attributed:
                totals.append(
                    _missing(
                        section,
                        site.name,
                        _(
                            "Joint site: the door count (%(door)s visits) is not attributed "
                            "to the library; set a method on the shared-entrance page."
                        )
                        % {"door": counted.total},
                    )
                )
                staffed.append(_missing(section, site.name, _("Joint site not attributed.")))
                continue
            library = sum(a.library_visits for a in attributed)
            door = sum(a.door_visits for a in attributed)
            low = sum(a.library_low for a in attributed)
            high = sum(a.library_high for a in attributed)
            days = sum((a.last_day - a.first_day).days + 1 for a in attributed)
            methods = ", ".join(sorted({a.get_method_display() for a in attributed}))
            source = _(
                "Joint site: %(library)s of %(door)s door visits attributed to the library "
                "(%(methods)s; 95 %% band %(low)s–%(high)s, sums of the periods' bands), "
                "%(days)s days attributed."
            ) % {
                "library": library,
                "door": door,
                "methods": methods,
                "low": low,
                "high": high,
                "days": days,
            }
            year_days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
            totals.append(
                FormFigure(
                    section,
                    site.name,
                    library,
                    FigureStatus.ATTRIBUTED,
                    source,
                    complete=days >= year_days,
                )
            )
            if counted.staffed_known and door:
                staffed.append(
                    FormFigure(
                        section,
                        site.name,
                        round(counted.staffed * library / door),
                        FigureStatus.ATTRIBUTED,
                        _("Hourly door counts in staffed hours times the attributed share."),
                        complete=not missing_months,
                    )
                )
            else:
                staffed.append(
                    _missing(section, site.name, _("No hourly counts or no staffed hours."))
                )
            continue
        if not counted.rows:
            totals.append(_missing(section, site.name, _("No counts in the year.")))
            staffed.append(_missing(section, site.name, _("No counts in the year.")))
            continue
        totals.append(
            FormFigure(
                section,
                site.name,
                counted.total,
                counted_status,
                _("%(rows)s counts; %(coverage)s.") % {"rows": counted.rows, "coverage": coverage},
                complete=not missing_months,
            )
        )
        if counted.staffed_known:
            staffed.append(
                FormFigure(
                    section,
                    site.name,
                    counted.staffed,
                    counted_status,
                    _("Hourly counts that start in staffed opening hours; %(coverage)s.")
                    % {"coverage": coverage},
                    complete=not missing_months,
                )
            )
        else:
            staffed.append(
                _missing(
                    section,
                    site.name,
                    _("Counts longer than an hour, or no staffed opening hours registered."),
                )
            )
    staffed_label = _("Visits in staffed hours")
    return [
        _combine(section, _("Visits in total"), totals, _("visits")),
        *[replace_label(f, _("Visits: %(site)s") % {"site": f.label}) for f in totals],
        _combine(section, staffed_label, staffed, _("visits in staffed hours")),
        *[
            replace_label(f, _("%(what)s: %(site)s") % {"what": staffed_label, "site": f.label})
            for f in staffed
        ],
    ]


def replace_label(figure: FormFigure, label: str) -> FormFigure:
    return FormFigure(
        figure.section, label, figure.value, figure.status, figure.source, figure.complete
    )


def _event_figures(municipality: Municipality | Tenancy, year: int) -> list[FormFigure]:
    section = _("Events")
    events = event_list(
        municipality, EventFilters(first_day=dt.date(year, 1, 1), last_day=dt.date(year, 12, 31))
    )
    rows = list(
        events.values_list(
            "event_type",
            "audience",
            "occurrences",
            "attendance",
            "in_partnership",
            "is_digital",
            "for_schools_kindergartens",
            "joint_with_citizen_service",
        )
    )
    labels = dict(EventType.choices)
    if not rows:
        source = _("No events are recorded for the year; Torg cannot tell none from unrecorded.")
        return [_missing(section, _("Events in total"), source)]

    def figures(label: str, chosen: list[tuple[Any, ...]]) -> list[FormFigure]:
        unknown_count = sum(1 for r in chosen if r[2] is None)
        no_attendance = sum(r[2] or 0 for r in chosen if r[3] is None)
        events_source = _("%(n)s event rows recorded in Torg.") % {"n": len(chosen)}
        if unknown_count:
            events_source += " " + _("%(n)s rows without a number of events.") % {
                "n": unknown_count
            }
        attendance_source = _("Sum of recorded attendance.")
        if no_attendance:
            attendance_source += " " + _(
                "%(n)s events without recorded attendance are not included."
            ) % {"n": no_attendance}
        return [
            FormFigure(
                section,
                label,
                sum(r[2] or 0 for r in chosen),
                FigureStatus.COUNTED,
                events_source,
                complete=not unknown_count,
            ),
            FormFigure(
                section,
                _("%(what)s: for children") % {"what": label},
                sum(r[2] or 0 for r in chosen if r[1] == Audience.CHILDREN),
                FigureStatus.COUNTED,
                _("Events whose audience is children."),
                complete=not unknown_count,
            ),
            FormFigure(
                section,
                _("%(what)s: attendance") % {"what": label},
                sum(r[3] or 0 for r in chosen),
                FigureStatus.COUNTED,
                attendance_source,
                complete=not no_attendance,
            ),
        ]

    result = figures(_("Events in total"), rows)
    for own, own_label in ((False, _("Own events")), (True, _("Events in partnership"))):
        for category in NATIONAL_CATEGORIES:
            label = _("%(kind)s, %(category)s") % {
                "kind": own_label,
                "category": str(labels[category]).lower(),
            }
            result += figures(label, [r for r in rows if r[4] is own and r[0] == category])
    for category in TORG_CATEGORIES:
        label = _("%(category)s (Torg's own category, not on the national form)") % {
            "category": labels[category]
        }
        result += figures(label, [r for r in rows if r[0] == category])
    result += figures(_("Events for schools and kindergartens"), [r for r in rows if r[6]])
    result += figures(_("Digital events"), [r for r in rows if r[5]])
    result += figures(
        _("Joint library and citizen service events (not on the national form)"),
        [r for r in rows if r[7]],
    )
    return result


def _hours_figures(municipality: Municipality | Tenancy, year: int) -> list[FormFigure]:
    section = _("Opening hours (hours a week)")
    reference = dt.date(year, 9, 15)
    rows = scoped(OpeningHours, municipality).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=reference),
        valid_from__lte=reference,
        site__kind__in=[SiteKind.LIBRARY, SiteKind.JOINT],
    )
    before = after = self_service = Decimal(0)
    for opens, closes, kind in rows.values_list("opens", "closes", "kind"):
        start = dt.datetime.combine(reference, opens)
        end = dt.datetime.combine(reference, closes)
        five = dt.datetime.combine(reference, FIVE_PM)
        if kind == OpeningHoursKind.SELF_SERVICE:
            self_service += Decimal((end - start).total_seconds()) / 3600
            continue
        before += Decimal(max((min(end, five) - start).total_seconds(), 0)) / 3600
        after += Decimal(max((end - max(start, five)).total_seconds(), 0)) / 3600
    source = _(
        "Opening hours registered in Torg, valid on %(day)s, all library and joint sites."
    ) % {"day": reference.isoformat()}
    if not rows.exists():
        none = _("No opening hours are registered for %(day)s.") % {"day": reference.isoformat()}
        return [
            _missing(section, _("Staffed hours before 17:00"), none),
            _missing(section, _("Staffed hours after 17:00"), none),
            _missing(section, _("Self-service hours"), none),
        ]
    return [
        FormFigure(
            section,
            _("Staffed hours before 17:00"),
            before.quantize(Decimal("0.01")),
            FigureStatus.COUNTED,
            source,
        ),
        FormFigure(
            section,
            _("Staffed hours after 17:00"),
            after.quantize(Decimal("0.01")),
            FigureStatus.COUNTED,
            source,
        ),
        FormFigure(
            section,
            _("Self-service hours"),
            self_service.quantize(Decimal("0.01")),
            FigureStatus.COUNTED,
            source,
        ),
    ]


def national_form(municipality: Municipality | Tenancy, year: int) -> NationalForm:
    """The form for ``municipality`` (tenant data only: every query is scoped to it) and
    calendar ``year``: visits (total, per site, in staffed hours), events (national
    categories own and in partnership, children and attendance; Torg's own categories;
    schools and kindergartens; digital; joint) and opening hours. Given a member's
    :class:`Tenancy` bound to some sites, only those sites count and the form is marked
    ``partial``."""
    figures = [
        *_visit_figures(municipality, year),
        *_event_figures(municipality, year),
        *_hours_figures(municipality, year),
    ]
    partial = isinstance(municipality, Tenancy) and municipality.site_bound
    if partial:  # every figure says it, in the exports too
        note = _("only the sites you see, not the whole municipality")
        figures = [
            replace(figure, complete=False, source=f"{figure.source} ({note})")
            for figure in figures
        ]
    tenant = municipality_of(municipality)
    return NationalForm(municipality=tenant, year=year, figures=tuple(figures), partial=partial)
