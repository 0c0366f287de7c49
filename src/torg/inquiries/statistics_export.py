"""The desk statistics as a table and as files: one long table (CSV; the "Data" sheet of
the workbook) and an XLSX workbook whose heat maps are laid out as grids.

Both render an :class:`~torg.inquiries.statistics.InquiryStatistics` and compute nothing of
their own, so they agree with the page and the API to the unit. Labels are resolved in the
active language when the functions are called.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from torg.inquiries.statistics import (
    HeatMap,
    InquiryStatistics,
    Mix,
    hour_label,
    weekday_labels,
)
from torg.lib.csv_export import Cell
from torg.web.charts import percent


@dataclass(frozen=True)
class Line:
    """One line of the long table: ``count`` inquiries in ``table`` for ``site`` (empty
    for all sites in view), ``row`` and ``column``; ``share`` in percent (one decimal) of
    the line's denominator, ``None`` where no share is given."""

    table: str
    site: str
    row: Cell
    column: Cell
    count: int | Decimal | None
    share: Decimal | None = None

    def cells(self) -> list[Cell]:
        return [self.table, self.site, self.row, self.column, self.count, self.share]


def header() -> list[str]:
    return [_("Table"), _("Site"), _("Row"), _("Column"), _("Inquiries"), _("Share (%)")]


def mix_title(name: str) -> str:
    return {
        "domain": _("Domain"),
        "level": _("Level"),
        "service": _("Service"),
        "channel": _("Channel"),
        "read_effort": _("READ effort (1–6)"),
    }[name]


def total_lines(stats: InquiryStatistics) -> list[tuple[str, int, Decimal | None]]:
    """(label, count, share in percent of the inquiries with an outcome) of the totals."""
    outcomes = stats.outcomes
    base = outcomes.with_outcome
    return [
        (_("Inquiries"), stats.total, None),
        (_("Inquiries with a known time of day"), stats.time_known, None),
        (_("Time of day unknown (left out of the heat map and hours)"), stats.time_unknown, None),
        (_("Outcome recorded"), base, None),
        (_("Outcome not recorded (in no share)"), outcomes.not_recorded, None),
        (_("Resolved at first line"), outcomes.resolved, percent(outcomes.resolved, base)),
        (
            _("Referred to a specialist or team"),
            outcomes.referred_internal,
            percent(outcomes.referred_internal, base),
        ),
        (
            _("Referred to another agency"),
            outcomes.referred_external,
            percent(outcomes.referred_external, base),
        ),
        (
            _("Referred (within the municipality and to other agencies)"),
            outcomes.referred,
            percent(outcomes.referred, base),
        ),
    ]


def turnaround_lines(stats: InquiryStatistics) -> list[tuple[str, Decimal | int | None, str]]:
    """(label, value, unit) of the referral turnaround; empty when nothing was referred."""
    turnaround = stats.referral_turnaround
    if turnaround is None:
        return []
    referrals, minutes = _("referrals"), _("minutes (median)")
    return [
        (_("Referrals to a team"), turnaround.referrals, referrals),
        (_("Answered by the team (accepted or declined)"), turnaround.responded, referrals),
        (_("Completed"), turnaround.completed, referrals),
        (_("Time to first response"), turnaround.median_first_response_minutes, minutes),
        (_("Time to completion"), turnaround.median_completion_minutes, minutes),
    ]


def heat_map_title(heat_map: HeatMap) -> str:
    if heat_map.service_point_name:
        return f"{heat_map.site_name}: {heat_map.service_point_name}"
    return heat_map.site_name


def lines(stats: InquiryStatistics) -> Iterator[Line]:
    """Every figure of ``stats`` as :class:`Line`, in page order: totals, heat maps (by
    weekday, then hour from the start of the business day), the five mixes, then the hours
    of each business day (with a "time unknown" line per day)."""
    totals = _("Totals")
    for label, count, share in total_lines(stats):
        yield Line(totals, "", label, "", count, share)
    referrals = _("Referrals")
    for label, value, unit in turnaround_lines(stats):
        yield Line(referrals, "", label, unit, value)
    heat = _("Heat map (weekday × local hour)")
    weekdays = weekday_labels()
    for heat_map in stats.heat_maps:
        for weekday, row in enumerate(heat_map.counts):
            for hour in heat_map.hour_order:
                yield Line(
                    heat, heat_map_title(heat_map), weekdays[weekday], hour_label(hour), row[hour]
                )
    for mix in mixes(stats):
        title = mix_title(mix.name)
        for mix_row in mix:
            yield Line(
                title, "", mix_row.label, "", mix_row.count, percent(mix_row.count, mix.total)
            )
    if stats.hourly is not None:
        title = _("Inquiries per hour")
        unknown = _("time of day unknown")
        for day in stats.hourly.days:
            for slot in day.hours:
                yield Line(title, "", day.day, slot.start, slot.count)
            yield Line(title, "", day.day, unknown, day.time_unknown)


def mixes(stats: InquiryStatistics) -> tuple[Mix, ...]:
    return (stats.domain, stats.level, stats.service, stats.channel, stats.read_effort)


def filename(slug: str, stats: InquiryStatistics, extension: str) -> str:
    """``torg-desk-statistics-<slug>-<first day>--<last day>.<extension>`` (``all`` for an
    open end)."""
    first = stats.filters.first_day.isoformat() if stats.filters.first_day else "all"
    last = stats.filters.last_day.isoformat() if stats.filters.last_day else "all"
    return f"torg-desk-statistics-{slug}-{first}--{last}.{extension}"


# --- XLSX -------------------------------------------------------------------------------


def _xlsx_value(value: Cell) -> str | int | float | Decimal | dt.date | None:
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the local wall-clock time with its offset, as text.
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def _append(sheet: Worksheet, values: Sequence[Cell], *, bold: bool = False) -> None:
    sheet.append([_xlsx_value(value) for value in values])
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def xlsx_bytes(stats: InquiryStatistics, *, filters_text: Sequence[tuple[str, str]]) -> bytes:
    """The workbook: "Summary" (filters and totals), "Heat map" (per site a grid with
    weekdays as rows and local hours as columns, headed by the site), "Mix", "Hours" (when
    there is an hourly series) and "Data" (the long table of the CSV)."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")
    _append(summary, [_("Desk statistics")], bold=True)
    for label, value in filters_text:
        _append(summary, [label, value])
    _append(summary, [])
    _append(summary, [_("Total"), _("Inquiries"), _("Share (%)")], bold=True)
    for label, count, share in total_lines(stats):
        _append(summary, [label, count, share])
    if stats.referral_turnaround is None:
        _append(summary, [_("Turnaround of referrals"), _("no inquiry was referred to a team")])
    else:
        _append(summary, [])
        _append(summary, [_("Referrals"), _("Value"), _("Unit")], bold=True)
        for name, figure, unit in turnaround_lines(stats):
            _append(summary, [name, figure, unit])

    heat = book.create_sheet(_("Heat map"))
    weekdays = weekday_labels()
    for heat_map in stats.heat_maps:
        _append(heat, [heat_map_title(heat_map)], bold=True)
        _append(heat, ["", *[hour_label(h) for h in heat_map.hour_order], _("Total")], bold=True)
        for weekday, row in enumerate(heat_map.counts):
            _append(heat, [weekdays[weekday], *[row[h] for h in heat_map.hour_order], sum(row)])
        hour_totals = heat_map.hour_totals()
        _append(
            heat,
            [_("Total"), *[hour_totals[h] for h in heat_map.hour_order], heat_map.total],
            bold=True,
        )
        _append(heat, [])

    mix_sheet = book.create_sheet(_("Mix"))
    for mix in mixes(stats):
        _append(mix_sheet, [mix_title(mix.name), _("Inquiries"), _("Share (%)")], bold=True)
        for mix_row in mix:
            _append(mix_sheet, [mix_row.label, mix_row.count, percent(mix_row.count, mix.total)])
        _append(mix_sheet, [_("Total"), mix.total], bold=True)
        _append(mix_sheet, [])

    if stats.hourly is not None:
        hours = book.create_sheet(_("Hours"))
        _append(
            hours,
            [_("Business day"), _("Hour starts (local time, UTC offset)"), _("Inquiries")],
            bold=True,
        )
        for day in stats.hourly.days:
            for hour in day.hours:
                _append(hours, [day.day, hour.start, hour.count])
            _append(hours, [day.day, _("time of day unknown"), day.time_unknown])

    data = book.create_sheet(_("Data"))
    _append(data, header(), bold=True)
    for line in lines(stats):
        _append(data, line.cells())

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
