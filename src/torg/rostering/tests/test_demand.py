"""Forecast per weekday and hour from an inquiry log, then Erlang C demand rows."""

from __future__ import annotations

import datetime as dt

import pytest

from torg.rostering.demand import Arrival, demand_from_forecast, hourly_forecast

from .factories import OSLO


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=OSLO)


def test_the_forecast_is_a_mean_over_calendar_weeks_with_empty_hours_as_zero():
    # Mondays 2, 9 and 16 March; forecast until 23 March over three weeks.
    log = [Arrival(at(2, 9, 5), "library"), Arrival(at(2, 9, 40), "library")]
    log += [Arrival(at(9, 9, 1), "library"), Arrival(at(16, 10, 0), "municipal")]
    log += [Arrival(at(23, 9, 0), "library")]  # on `until`: outside the window
    log += [Arrival(dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC), None)]  # 09:30 in Oslo
    forecast = hourly_forecast(log, zone="Europe/Oslo", until=dt.date(2026, 3, 23), weeks=3)
    assert forecast == {
        ("library", 0, 9): pytest.approx(3 / 3),
        ("municipal", 0, 10): pytest.approx(1 / 3),
        (None, 0, 9): pytest.approx(1 / 3),
    }


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        hourly_forecast(
            [Arrival(dt.datetime(2026, 3, 2, 9))], zone="Europe/Oslo", until=dt.date(2026, 3, 9)
        )


def test_demand_rows_use_erlang_c_per_kind_and_for_everyone():
    # 200 library arrivals an hour with 180 s handling need 14 people for 80 % in 20 s
    # (the Call Centre Helper example in reference/erlang_c.json).
    forecast: dict[tuple[str | None, int, int], float] = {("library", 0, 9): 200.0}
    rows = demand_from_forecast(
        forecast,
        site="S",
        start=dt.date(2026, 3, 2),
        weeks=1,
        zone="Europe/Oslo",
        open_hours={0: range(9, 11)},
        handle_seconds=180,
        target_seconds=20,
        target_share=0.8,
    )
    summary = [(r.start.hour, r.minimum, r.competence) for r in rows]
    assert summary == [(9, 14, None), (9, 14, "library"), (10, 1, None)]
    assert all(r.end - r.start == dt.timedelta(hours=1) for r in rows)
