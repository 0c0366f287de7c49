"""Desk statistics: when inquiries come (a weekday × local hour heat map per site), what
they are about (mix by domain, level, service and channel), how they end (share resolved
at first line, referral rate), how much effort they take (READ 1–6), and inquiries per hour
of each business day over a short period.

:func:`inquiry_statistics` is the one function behind the statistics page, its CSV and
XLSX exports and the API (``/api/v1/m/<slug>/inquiry-statistics/``): they only render its
:class:`InquiryStatistics`, so their figures agree to the unit.

Time. Instants are stored in UTC. Each inquiry is put on the *business day* of its site
(:mod:`torg.lib.business_day`: the day starts at ``Site.business_day_starts``, midnight by
default) and on the local wall-clock hour in the site's zone. An inquiry whose time of day
is unknown (``time_of_day_known=False``, stored at local midnight of its date) counts on
its calendar date but in no hour: it is left out of the heat map and the hourly series, and
:attr:`InquiryStatistics.time_unknown` says how many were.

Speed. The database does the counting in two grouped queries over the filtered rows, never
returning rows: one over (service, domain, channel, outcome, READ effort) for every mix and
total, one over (site, time known, UTC hour) for the heat map and the hourly series. The
few thousand UTC hours are turned into business days and local hours in Python, where the
time-zone rules are (SQLite has none). Sites whose zone has an offset that is not a whole
number of hours, or whose business day starts off the hour, are grouped by UTC minute
instead.
"""

from torg.inquiries.statistics.compute import (
    MIX_GROUPING,
    UtcTimeKey,
    inquiry_rows,
    inquiry_statistics,
    referral_turnaround,
)
from torg.inquiries.statistics.results import (
    MAX_HOURLY_DAYS,
    DayHours,
    HeatMap,
    HourCount,
    HourlySeries,
    InquiryStatistics,
    Mix,
    Outcomes,
    ReferralTurnaround,
    StatisticsFilters,
    hour_label,
    weekday_labels,
)

__all__ = [
    "MAX_HOURLY_DAYS",
    "MIX_GROUPING",
    "DayHours",
    "HeatMap",
    "HourCount",
    "HourlySeries",
    "InquiryStatistics",
    "Mix",
    "Outcomes",
    "ReferralTurnaround",
    "StatisticsFilters",
    "UtcTimeKey",
    "hour_label",
    "inquiry_rows",
    "inquiry_statistics",
    "referral_turnaround",
    "weekday_labels",
]
