"""The municipality dashboard: headline figures and charts, each with its text alternative.

Numbers come from :mod:`torg.visits.aggregates` and :mod:`torg.inquiries.aggregates`; this
module only turns them into :class:`~torg.web.charts.ChartBlock` objects for the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from torg.inquiries.aggregates import (
    Breakdown,
    Dimension,
    InquirySeries,
    inquiries_by,
    inquiries_over_time,
    inquiry_count,
)
from torg.inquiries.models import Inquiry
from torg.lib.localtime import FIRST_DAY, LAST_DAY
from torg.organisation.models import Municipality
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.visits.aggregates import (
    MAX_BUCKETS,
    EventBreakdown,
    LocalDateRange,
    VisitSeries,
    events_by_audience,
    outside_calendar,
    visits_over_time,
)
from torg.visits.models import Event, VisitCount
from torg.visits.selectors import (
    EventFilters,
    NationalFigures,
    VisitCountFilters,
    event_edges,
    national_figures,
    visit_count_edges,
)
from torg.visits.views import event_edges_note, visit_edges_note
from torg.web import charts
from torg.web.charts import ChartBlock, fmt, fmt_percent, num, percent, txt

#: Sites drawn one by one in the per-site chart; the total always covers every site.
TOP_SITES = 8


@dataclass(frozen=True)
class Headline:
    """One key figure. ``value`` is a formatted number, or words when ``is_text`` (there
    is nothing to count: "No visit counts yet" is not the same as 0)."""

    label: str
    value: str
    detail: str
    is_text: bool = False


@dataclass(frozen=True)
class NationalPointer:
    """The municipality's own figures in the national statistics, with the link to the
    national comparison for that municipality and year."""

    visits: str
    events: str
    url: str


@dataclass(frozen=True)
class Recorded:
    """Whether the municipality has any rows at all of each kind, whatever the period."""

    visits: bool
    inquiries: bool
    events: bool


@dataclass(frozen=True)
class Dashboard:
    headlines: list[Headline]
    visits_total: ChartBlock | None
    visits_by_site: ChartBlock | None
    inquiries_over_time: ChartBlock | None
    inquiries: list[ChartBlock]  # by domain and by channel, shown side by side
    inquiries_by_service: ChartBlock | None
    events: ChartBlock | None
    top_sites_note: str
    visits_too_long: str = ""  # said instead of the visit charts when they cannot be drawn
    inquiries_too_long: str = ""  # likewise for inquiries over time
    left_out_note: str = ""  # rows dated outside the accepted calendar
    visits_edges_note: str = ""  # counts that run past the chosen days, or started before
    events_edges_note: str = ""  # likewise for events with a period
    national: NationalPointer | None = None
    recorded: Recorded = Recorded(visits=True, inquiries=True, events=True)


def build_dashboard(municipality: Municipality | Tenancy, period: LocalDateRange) -> Dashboard:
    """Everything the dashboard page shows for ``municipality`` on the range's local days;
    given a member's :class:`Tenancy`, only the sites the member sees."""
    tenant = municipality_of(municipality)
    visits = visits_over_time(municipality, period=period)
    events = events_by_audience(municipality, period=period)
    total_inquiries = inquiry_count(municipality, period=period)
    breakdowns = [
        inquiries_by(municipality, d, period=period) for d in (Dimension.DOMAIN, Dimension.CHANNEL)
    ]
    series = inquiries_over_time(municipality, period=period)
    note = ""
    if len(visits.sites) > TOP_SITES:
        note = _(
            "%(total)s sites have visit counts. The chart per site shows the %(top)s with "
            "the most visits in the period; the total covers all %(total)s sites."
        ) % {"total": fmt(len(visits.sites)), "top": fmt(TOP_SITES)}
    visits_too_long = (
        _too_long(visits.first_day, visits.last_day) if visits.too_many_buckets else ""
    )
    recorded = Recorded(
        visits=scoped(VisitCount, municipality).exists(),
        inquiries=scoped(Inquiry, municipality).exists(),
        events=scoped(Event, municipality).exists(),
    )
    visits_edges_note = visit_edges_note(
        visit_count_edges(
            municipality, VisitCountFilters(first_day=period.first, last_day=period.last)
        )
    )
    return Dashboard(
        headlines=_headlines(
            visits, events, total_inquiries, recorded, edges_noted=bool(visits_edges_note)
        ),
        visits_total=None
        if visits.too_many_buckets
        else _visits_total(
            visits, site_bound=isinstance(municipality, Tenancy) and municipality.site_bound
        ),
        visits_by_site=None if visits.too_many_buckets else _visits_by_site(visits),
        inquiries_over_time=_inquiries_over_time(series),
        inquiries=[block for b in breakdowns if (block := _breakdown(b)) is not None],
        inquiries_by_service=_breakdown(
            inquiries_by(municipality, Dimension.SERVICE, period=period)
        ),
        events=_events(events),
        top_sites_note=note,
        visits_too_long=visits_too_long,
        inquiries_too_long=(
            _too_long(series.first_day, series.last_day) if series.too_many_buckets else ""
        ),
        left_out_note=_left_out_note(municipality, period),
        visits_edges_note=visits_edges_note,
        events_edges_note=event_edges_note(
            event_edges(municipality, EventFilters(first_day=period.first, last_day=period.last))
        ),
        national=_national_pointer(national_figures(tenant)),
        recorded=recorded,
    )


def _national_pointer(figures: NationalFigures | None) -> NationalPointer | None:
    if figures is None:
        return None
    not_reported = _("not reported")
    query = urlencode({"municipality": figures.number, "year": figures.year})
    return NationalPointer(
        visits=_("%(name)s in the national public library statistics for %(year)s: %(visits)s.")
        % {
            "name": figures.name,
            "year": figures.year,
            "visits": (
                ngettext("%(visits)s visit", "%(visits)s visits", figures.visits)
                % {"visits": fmt(figures.visits)}
                if figures.visits is not None
                else _("visits %(not_reported)s") % {"not_reported": not_reported}
            ),
        },
        events=_(
            "%(name)s in the national public library statistics for %(year)s: %(events)s "
            "events, %(attendance)s attending."
        )
        % {
            "name": figures.name,
            "year": figures.year,
            "events": fmt(figures.events) if figures.events is not None else not_reported,
            "attendance": (
                fmt(figures.attendance) if figures.attendance is not None else not_reported
            ),
        },
        url=f"{reverse('national:comparison')}?{query}",
    )


def _too_long(first: object, last: object) -> str:
    return _(
        "From %(first)s to %(last)s is too long a time to draw in one chart (at most "
        "%(max)s years). Choose a shorter period above; the totals cover all of it."
    ) % {"first": first, "last": last, "max": fmt(MAX_BUCKETS)}


def _left_out_note(municipality: Municipality | Tenancy, period: LocalDateRange) -> str:
    """Says how many rows are dated outside the accepted calendar and so in no figure (only
    when a side of the range is open: a chosen range lies inside the calendar anyway)."""
    if period.first is not None and period.last is not None:
        return ""
    count = sum(
        outside_calendar(municipality, scoped(model, municipality), field)
        for model, field in (
            (VisitCount, "period_start"),
            (Inquiry, "occurred_at"),
            (Event, "starts_at"),
        )
    )
    if not count:
        return ""
    return ngettext(
        "%(count)s record is dated before %(first)s or after %(last)s and is left out of "
        "every figure. Correct its date in the source and import it again.",
        "%(count)s records are dated before %(first)s or after %(last)s and are left out of "
        "every figure. Correct their dates in the source and import them again.",
        count,
    ) % {"count": fmt(count), "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}


def _headlines(
    visits: VisitSeries,
    events: EventBreakdown,
    inquiries: int,
    recorded: Recorded,
    *,
    edges_noted: bool,
) -> list[Headline]:
    """The three key figures. A figure with no row behind it is said in words, never
    shown as 0: "no visit counts yet" when the municipality has none at all, "none in
    this period" when it has some elsewhere. 0 is shown only when rows say 0."""
    site_count = len(visits.sites)
    if visits.is_empty:
        visits_headline = Headline(
            _("Visits"),
            _("No visit count starts in this period")
            if recorded.visits
            else _("No visit counts yet"),
            "",
            is_text=True,
        )
    else:
        detail = ngettext("counted at %(count)s site", "counted at %(count)s sites", site_count) % {
            "count": fmt(site_count)
        }
        if edges_noted:
            detail += " " + _("(see the note on longer periods under Visits)")
        visits_headline = Headline(_("Visits"), fmt(visits.total), detail)
    if inquiries:
        inquiries_headline = Headline(
            _("Inquiries"), fmt(inquiries), _("logged at the desks and channels")
        )
    else:
        inquiries_headline = Headline(
            _("Inquiries"),
            _("No inquiries logged in this period")
            if recorded.inquiries
            else _("No inquiries logged yet"),
            "",
            is_text=True,
        )
    if events.rows:
        events_headline = Headline(_("Events"), fmt(events.events), _events_detail(events))
    else:
        events_headline = Headline(
            _("Events"),
            _("No events in this period") if recorded.events else _("No events recorded yet"),
            "",
            is_text=True,
        )
    return [visits_headline, inquiries_headline, events_headline]


def _events_detail(events: EventBreakdown) -> str:
    attending = ngettext(
        "with %(attendance)s attending", "with %(attendance)s attending", events.attendance
    ) % {"attendance": fmt(events.attendance)}
    if not events.events_without_attendance:
        return attending
    return ngettext(
        "%(attending)s (%(missing)s event without attendance recorded)",
        "%(attending)s (%(missing)s events without attendance recorded)",
        events.events_without_attendance,
    ) % {"attending": attending, "missing": fmt(events.events_without_attendance)}


def _visits_total(visits: VisitSeries, *, site_bound: bool = False) -> ChartBlock | None:
    if visits.is_empty:
        return None
    unit = visits.granularity.label
    totals = visits.totals()
    peak = max((t for t in totals if t.visits is not None), key=lambda t: t.visits or 0)
    summary = _(
        "%(visits)s visits in total from %(first)s to %(last)s, counted per %(unit)s of the "
        "sites' local time; the most in %(peak)s with %(peak_visits)s."
    ) % {
        "visits": fmt(visits.total),
        "first": totals[0].label,
        "last": totals[-1].label,
        "unit": unit,
        "peak": peak.label,
        "peak_visits": fmt(peak.visits),
    }
    title = (
        _("Visits per %(unit)s, your sites") if site_bound else _("Visits per %(unit)s, all sites")
    ) % {"unit": unit}
    spec = charts.bar_over_time(
        [{"label": t.label, "value": t.visits, "sites": t.sites_reporting} for t in totals],
        x_title=_("Period"),
        y_title=_("Visits"),
        description=summary,
        extra_tooltip=[charts.alt.Tooltip("sites:Q", title=_("Sites reporting"))],
    )
    return ChartBlock(
        id="chart-visits-total",
        title=title,
        summary=summary,
        spec=spec,
        columns=[_("Period"), _("Visits"), _("Sites reporting")],
        rows=[[txt(t.label), num(t.visits), num(t.sites_reporting)] for t in totals],
        footer=[txt(_("Total")), num(visits.total), txt("")],
        note=_(
            "A count belongs to the period in which it starts (a count for April 2023 to "
            "March 2024 is shown under 2023). A period where no site has a count is shown "
            "as a dash, not as zero. The total adds the counts that exist."
        ),
    )


def _visits_by_site(visits: VisitSeries) -> ChartBlock | None:
    if len(visits.sites) < 2:
        return None
    top = visits.top_sites(TOP_SITES)
    unit = visits.granularity.label
    rows = [
        {"label": visits.label(bucket), "series": site.name, "value": site.value(bucket)}
        for site in top
        for bucket in visits.buckets
    ]
    leader = top[0]
    summary = _("%(site)s had the most visits: %(visits)s of %(total)s in the period.") % {
        "site": leader.name,
        "visits": fmt(leader.total),
        "total": fmt(visits.total),
    }
    if len(visits.sites) > TOP_SITES:
        title = _("Visits per %(unit)s, the %(top)s sites with the most visits") % {
            "unit": unit,
            "top": fmt(len(top)),
        }
    else:
        title = _("Visits per %(unit)s and site") % {"unit": unit}
    return ChartBlock(
        id="chart-visits-sites",
        title=title,
        summary=summary,
        spec=(
            charts.lines_over_time(
                rows,
                x_title=_("Period"),
                y_title=_("Visits"),
                series_title=_("Site"),
                description=summary,
            )
            if len(visits.buckets) > 1
            else charts.horizontal_bars(
                [{"category": site.name, "value": site.total} for site in top],
                category_title=_("Site"),
                value_title=_("Visits"),
                description=summary,
            )
        ),
        columns=[_("Period"), *[site.name for site in top]],
        rows=[
            [txt(visits.label(bucket)), *[num(site.value(bucket)) for site in top]]
            for bucket in visits.buckets
        ],
        footer=[txt(_("Total")), *[num(site.total) for site in top]],
        note=_("A dash means the site has no count for that period; 0 means nobody came."),
    )


def _inquiries_over_time(series: InquirySeries) -> ChartBlock | None:
    if not series.buckets:
        return None
    unit = series.granularity.label
    total = sum(series.total(b) for b in series.buckets)
    summary = ngettext(
        "%(total)s inquiry from %(first)s to %(last)s, per %(unit)s of the sites' local "
        "time and by domain.",
        "%(total)s inquiries from %(first)s to %(last)s, per %(unit)s of the sites' local "
        "time and by domain.",
        total,
    ) % {
        "total": fmt(total),
        "first": series.label(series.buckets[0]),
        "last": series.label(series.buckets[-1]),
        "unit": unit,
    }
    rows = [
        {"label": series.label(bucket), "domain": label, "value": series.counts[bucket].get(key, 0)}
        for bucket in series.buckets
        for key, label in series.domains
    ]
    return ChartBlock(
        id="chart-inquiries-time",
        title=_("Inquiries per %(unit)s") % {"unit": unit},
        summary=summary,
        spec=charts.bar_over_time(
            rows,
            x_title=_("Period"),
            y_title=_("Inquiries"),
            color_field="domain",
            color_title=_("Domain"),
            description=summary,
        ),
        columns=[_("Period"), *[label for _key, label in series.domains], _("Total")],
        rows=[
            [
                txt(series.label(bucket)),
                *[num(series.counts[bucket].get(key, 0)) for key, _label in series.domains],
                num(series.total(bucket)),
            ]
            for bucket in series.buckets
        ],
        footer=[
            txt(_("Total")),
            *[
                num(sum(series.counts[b].get(key, 0) for b in series.buckets))
                for key, _label in series.domains
            ],
            num(total),
        ],
    )


def _breakdown(breakdown: Breakdown) -> ChartBlock | None:
    if not breakdown.rows:
        return None
    titles = {
        Dimension.DOMAIN: (_("Inquiries by domain"), _("Domain")),
        Dimension.CHANNEL: (_("Inquiries by channel"), _("Channel")),
        Dimension.SERVICE: (_("Inquiries by service"), _("Service")),
    }
    title, category = titles[breakdown.dimension]
    first = breakdown.rows[0]
    summary = ngettext(
        "%(label)s is the largest group with %(count)s of %(total)s inquiry (%(share)s).",
        "%(label)s is the largest group with %(count)s of %(total)s inquiries (%(share)s).",
        breakdown.total,
    ) % {
        "label": first.label,
        "count": fmt(first.count),
        "total": fmt(breakdown.total),
        "share": fmt_percent(percent(first.count, breakdown.total)),
    }
    shares = [percent(row.count, breakdown.total) for row in breakdown]
    rounded_sum = sum(share for share in shares if share is not None)
    return ChartBlock(
        id=f"chart-inquiries-{breakdown.dimension.value}",
        title=title,
        summary=summary,
        spec=charts.horizontal_bars(
            [{"category": row.label, "value": row.count} for row in breakdown],
            category_title=category,
            value_title=_("Inquiries"),
            description=summary,
        ),
        columns=[category, _("Inquiries"), _("Share (%)")],
        rows=[
            [txt(row.label), num(row.count), num(share, 1)]
            for row, share in zip(breakdown, shares, strict=True)
        ],
        footer=[
            txt(_("Total")),
            num(breakdown.total),
            num(percent(breakdown.total, breakdown.total), 1),
        ],
        note=(
            _(
                "Each share is rounded to one decimal, so together they make %(sum)s "
                "rather than exactly %(whole)s."
            )
            % {"sum": fmt_percent(rounded_sum), "whole": fmt_percent(100, 0)}
            if breakdown.total and rounded_sum != 100
            else ""
        ),
    )


def _events(events: EventBreakdown) -> ChartBlock | None:
    if not events.rows:
        return None
    measure_events, measure_attendance = _("Events"), _("Attendance")
    largest = max(events.rows, key=lambda row: row.attendance)
    summary = ngettext(
        "%(events)s event with %(attendance)s attending; %(audience)s drew the largest "
        "attendance (%(largest)s).",
        "%(events)s events with %(attendance)s attending; %(audience)s drew the largest "
        "attendance (%(largest)s).",
        events.events,
    ) % {
        "events": fmt(events.events),
        "attendance": fmt(events.attendance),
        "audience": largest.label,
        "largest": fmt(largest.attendance),
    }
    rows = [
        {"category": row.label, "measure": measure, "value": value}
        for row in events
        for measure, value in ((measure_events, row.events), (measure_attendance, row.attendance))
    ]
    return ChartBlock(
        id="chart-events-audience",
        title=_("Events and attendance by audience"),
        summary=summary,
        spec=charts.paired_bars(
            rows,
            category_title=_("Audience"),
            measures=[measure_events, measure_attendance],
            description=summary,
        ),
        columns=[
            _("Audience"),
            _("Events"),
            _("Attendance"),
            _("Events without attendance recorded"),
        ],
        rows=[
            [
                txt(row.label),
                num(row.events),
                num(row.attendance),
                num(row.events_without_attendance),
            ]
            for row in events
        ],
        footer=[
            txt(_("Total")),
            num(events.events),
            num(events.attendance),
            num(events.events_without_attendance),
        ],
        note=_(
            "Attendance adds the events where it was recorded; an attendance of 0 is "
            "recorded and counts."
        )
        + (
            " "
            + ngettext(
                "For %(rows)s group of events the source reported the attendance but not "
                "the number of events: its attendance is included, its events are not.",
                "For %(rows)s groups of events the source reported the attendance but not "
                "the number of events: their attendance is included, their events are not.",
                events.rows_without_event_count,
            )
            % {"rows": fmt(events.rows_without_event_count)}
            if events.rows_without_event_count
            else ""
        ),
    )
