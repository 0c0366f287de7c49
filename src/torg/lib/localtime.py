"""Local wall-clock time to UTC instants and back, the way a site's staff sees it.

No Django. Instants are stored in UTC; a person sees the site's local day. The process time
zone never matters: everything takes an explicit IANA zone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zoneinfo
from functools import lru_cache

UTC = dt.UTC

# The calendar Torg accepts, in imports, filters and forms alike. A library or service
# record outside it is a typing error (a year 9999, a year 0001), and refusing it keeps
# every bucket, range and chart within what datetime can represent.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def check_day(day: dt.date) -> dt.date:
    """Return ``day`` if it lies in [:data:`FIRST_DAY`, :data:`LAST_DAY`]; otherwise raise
    ``ValueError`` saying which years are accepted."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{day.isoformat()} is outside the years Torg accepts ({FIRST_DAY.year}–{LAST_DAY.year})"
        )
    return day


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_LIKE = re.compile(r"^[+-]?(\d+)-(\d+)-(\d+)")


def calendar_date(year: int, month: int, day: int) -> dt.date:
    """The date ``year``-``month``-``day`` in the calendar Torg accepts (:func:`check_day`).

    The one place that words why numbers are no date, for every parser of dates (imports,
    filters): ``30 February 2025 is not a date (February 2025 has 28 days)``, ``there is no
    month 13``, never Python's "day is out of range for month". Raises ``ValueError``.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"there is no month {month} (the months are 1 to 12)")
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(
            f"the year {year} is outside the years Torg accepts ({FIRST_DAY.year}–{LAST_DAY.year})"
        )
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        name = _MONTH_NAMES[month - 1]
        raise ValueError(
            f"{day} {name} {year} is not a date ({name} {year} has {days_in_month} days)"
        )
    return check_day(dt.date(year, month, day))


def date_form_reason(text: str, *, time_allowed: bool = False) -> str:
    """Why ``text`` is not an ISO date ``YYYY-MM-DD`` (or, when ``time_allowed``, a date-time
    ``YYYY-MM-DD HH:MM``): a time is mentioned only where one may be given, and a year
    without four digits (``99999-01-01``) is named as the reason."""
    value = text.strip()
    like = _DATE_LIKE.match(value)
    if like and len(like[1]) != 4:
        return f"the year {like[1]} does not have four digits; write the date as YYYY-MM-DD"
    if time_allowed:
        return "not a date and time in the form YYYY-MM-DD HH:MM (or a date YYYY-MM-DD)"
    return "not a date in the form YYYY-MM-DD"


def parse_iso_day(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` into a date of the calendar Torg accepts. Raises ``ValueError``
    with a reason a person reads (:func:`calendar_date`, :func:`date_form_reason`)."""
    match = _ISO_DAY.match(text.strip())
    if not match:
        raise ValueError(date_form_reason(text))
    return calendar_date(int(match[1]), int(match[2]), int(match[3]))


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The :class:`zoneinfo.ZoneInfo` for an IANA name; raises ``ValueError`` if unknown."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _exists(local: dt.datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


def start_of_local_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant at which local calendar ``day`` begins in ``tz``.

    Where midnight does not exist (zones that change clocks at 00:00), the day begins at
    the first instant after the gap. A day outside the accepted calendar (:func:`check_day`;
    the day after :data:`LAST_DAY` is allowed as an end bound) raises ``ValueError``.
    """
    if day != LAST_DAY + dt.timedelta(days=1):
        check_day(day)
    local = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    if _exists(local):
        return local.astimezone(UTC)
    # Walk forward in whole minutes to the end of the gap (at most a few hours).
    for minutes in range(1, 24 * 60):
        candidate = local + dt.timedelta(minutes=minutes)
        if _exists(candidate):
            return candidate.astimezone(UTC)
    raise ValueError(f"{day} has no start in {tz}")  # pragma: no cover


def local_day_bounds(
    first: dt.date, last: dt.date, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """Half-open UTC instants ``[start, end)`` covering local days ``first`` to ``last``
    inclusive: "1 to 31 March" includes all of 31 March local time."""
    if last < first:
        raise ValueError("the last day comes before the first")
    return start_of_local_day(first, tz), start_of_local_day(last + dt.timedelta(days=1), tz)


_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def parse_local_datetime(text: str, tz: dt.tzinfo) -> dt.datetime:
    """Parse an ISO 8601 date-time written at a site and return the UTC instant.

    ``2024-03-01 08:54`` and ``2024-03-01T08:54:00`` are local wall-clock time in ``tz``;
    a trailing ``Z`` or ``+01:00`` states the offset and is honoured as given; a bare date
    is local midnight. Raises ``ValueError`` with a reason for text that is no date-time, a
    local time that does not exist (skipped when the clocks go forward) and one that occurs
    twice (when they go back) without an offset to tell which.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty")
    if len(value) == 10:
        if value == (LAST_DAY + dt.timedelta(days=1)).isoformat():
            return start_of_local_day(LAST_DAY + dt.timedelta(days=1), tz)  # may end a period
        return start_of_local_day(parse_iso_day(value), tz)
    try:
        parsed = dt.datetime.fromisoformat(
            value.replace("Z", "+00:00") if value.endswith("Z") else value
        )
    except ValueError as error:
        day_part = _ISO_DAY.match(value[:10])
        if day_part and value[10:11] in ("T", " "):
            parse_iso_day(value[:10])  # "30 February 2025 is not a date", if that is why
        raise ValueError(date_form_reason(value, time_allowed=True)) from error
    if parsed.time() != dt.time(0) or parsed.date() != LAST_DAY + dt.timedelta(days=1):
        check_day(parsed.date())  # the midnight after LAST_DAY may end a period
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    local = parsed.replace(tzinfo=tz)
    if not _exists(local):
        raise ValueError(f"{value} does not exist in {tz} (the clocks go forward that night)")
    other = parsed.replace(tzinfo=tz, fold=1)
    if other.utcoffset() != local.utcoffset():
        raise ValueError(
            f"{value} occurs twice in {tz} (the clocks go back that night); "
            "give it with its UTC offset, e.g. 2024-10-27T02:30+02:00"
        )
    return local.astimezone(UTC)


def local_date(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The local calendar day of a UTC instant."""
    return instant.astimezone(tz).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months (day of month clamped to the month's length). Raises
    ``ValueError`` when the result falls outside the calendar (years 1–9999)."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError("the date falls outside the calendar (years 1–9999)")
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def parse_iso_interval(text: str) -> tuple[dt.date, dt.date]:
    """Parse an ISO 8601 interval of whole days, ``2023-04-01/P1M`` or
    ``2023-04-01/2023-06-30`` (end day inclusive), into ``(first_day, day_after_last)``.

    >>> parse_iso_interval("2023-04-01/P3M")
    (datetime.date(2023, 4, 1), datetime.date(2023, 7, 1))
    """
    start_text, sep, rest = text.strip().partition("/")
    if not sep:
        raise ValueError("not an interval such as 2023-04-01/P1M")
    if not _ISO_DAY.match(start_text.strip()):
        raise ValueError("the interval does not start with a date YYYY-MM-DD")
    start = parse_iso_day(start_text)
    match = _ISO_DURATION.match(rest)
    if match and any(match.groups()):
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        try:
            end = add_months(start, years * 12 + months) + dt.timedelta(weeks=weeks, days=days)
        except (ValueError, OverflowError):
            end = dt.date.max
        if end > LAST_DAY + dt.timedelta(days=1):
            raise ValueError(
                f"the interval ends after the years Torg accepts (up to {LAST_DAY.year})"
            )
    else:
        try:
            end = dt.date.fromisoformat(rest) + dt.timedelta(days=1)
        except ValueError as error:
            raise ValueError("the interval ends with neither a duration nor a date") from error
    if end <= start:
        raise ValueError("the interval ends before it starts")
    check_day(end - dt.timedelta(days=1))
    return start, end
