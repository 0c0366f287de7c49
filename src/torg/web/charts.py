"""Charts for the pages: a Vega-Lite spec (built with Altair) plus its text alternative.

Every chart is a :class:`ChartBlock`: a heading, a one-sentence summary, the spec with its
data inline, and the same data as a table. The browser draws the spec with the vendored
vega-embed (``static/torg/charts.js``), which never fetches anything: the data is in the
spec, the ``$schema`` URL is removed and the actions menu (with its links out) is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import altair as alt
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

#: Palette with at least 3:1 contrast against white for every colour (WCAG 2.1, 1.4.11).
PALETTE = [
    "#005a8c",
    "#b35900",
    "#2e7d32",
    "#8e24aa",
    "#c62828",
    "#00695c",
    "#5d4037",
    "#455a64",
    "#ad1457",
    "#1565c0",
]
HEIGHT = 260


def round_half_up(value: float | int | Decimal, decimals: int = 0) -> Decimal:
    """``value`` rounded to ``decimals`` places, a half always away from zero (0.75 → 0.8,
    14.25 → 14.3), as people round by hand and as the rest of the page's figures are
    rounded. A float is read from its shortest decimal text (``0.15`` stays 0.15 rather
    than the 0.1499… it is stored as), so the result is the one a person would write.
    (Django's ``number_format`` cuts the extra digits off instead: 0.77 would show 0.7.)"""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, decimals: int = 1) -> Decimal | None:
    """``part`` as a percentage of ``whole``, computed exactly and rounded half up
    (:func:`round_half_up`): 36 of 4,651 is 0.8, 664 of 4,651 is 14.3. ``None`` when
    ``whole`` is 0 (there is no share of nothing)."""
    if not whole:
        return None
    return round_half_up(Decimal(100 * part) / Decimal(whole), decimals)


def fmt(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """A number in the active language's format with grouping (``275 962`` in bokmål,
    ``275,962`` in English), rounded half up to ``decimals`` places
    (:func:`round_half_up`); ``None`` gives ``"–"``."""
    if value is None:
        return "–"
    if not isinstance(value, int) or decimals:
        value = round_half_up(value, decimals)
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def fmt_percent(value: float | int | Decimal | None, decimals: int = 1) -> str:
    """A share written as the active language writes it: ``99.2%`` in English, ``99,2 %``
    in bokmål with a no-break space (U+00A0, Språkrådet's rule), so that the number and
    its sign never wrap apart. The number is :func:`fmt`'s; ``None`` gives ``"–"`` (there
    is no share of nothing). Every share on a page is written with this function."""
    if value is None:
        return "–"
    # Translators: a percentage. Bokmål puts a no-break space (U+00A0) before the sign.
    return pgettext("percentage", "%(number)s%%") % {"number": fmt(value, decimals)}


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` as shown; ``missing`` marks a value that does not exist
    (shown as a dash with a spoken explanation), ``numeric`` right-aligns it."""

    text: str
    numeric: bool = False
    missing: bool = False


def num(value: float | int | Decimal | None, decimals: int = 0) -> Cell:
    return Cell(text=fmt(value, decimals), numeric=True, missing=value is None)


def txt(value: object) -> Cell:
    return Cell(text=str(value))


@dataclass(frozen=True)
class ChartBlock:
    """A chart with its accessible alternative, as the template ``web/_chart.html`` shows it."""

    id: str
    title: str
    summary: str
    spec: dict[str, Any]
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    note: str = ""
    footer: Sequence[Cell] = field(default_factory=tuple)

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"


def finish(chart: alt.TopLevelMixin, description: str) -> dict[str, Any]:
    """The Vega-Lite dict of ``chart`` with Torg's look, ready to inline in a page."""
    spec: dict[str, Any] = chart.properties(description=description).to_dict()
    spec.pop("$schema", None)
    spec["config"] = {
        **spec.get("config", {}),
        "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        # labelSeparation: labels that would touch (wide ones like "4 000") are thinned out.
        "axis": {
            "labelFontSize": 12,
            "titleFontSize": 13,
            "labelColor": "#1a1a1a",
            "labelSeparation": 6,
        },
        "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom"},
        "range": {"category": PALETTE},
        "mark": {"color": PALETTE[0]},
        "view": {"stroke": None},
        # Axis labels and tooltips in the active language's number format, like fmt().
        "locale": {"number": number_locale()},
    }
    return spec


def number_locale() -> dict[str, Any]:
    """The active language's decimal mark and digit grouping as a d3-format locale
    (``1 234,5`` in bokmål, ``1,234.5`` in English), for the charts' ``config.locale``."""
    grouping = get_format("NUMBER_GROUPING")
    groups = [grouping] if isinstance(grouping, int) else [size for size in grouping if size]
    return {
        "decimal": str(get_format("DECIMAL_SEPARATOR")),
        "thousands": str(get_format("THOUSAND_SEPARATOR")),
        "grouping": groups or [3],
        "currency": ["", ""],
    }


def _axis_labels(count: int) -> dict[str, Any]:
    # Long ordinal axes (48 months) get slanted labels; short ones stay horizontal.
    return {"labelAngle": -45 if count > 12 else 0, "labelOverlap": True}


def bar_over_time(
    rows: Sequence[dict[str, Any]],
    *,
    x_title: str,
    y_title: str,
    description: str,
    color_field: str | None = None,
    color_title: str = "",
    extra_tooltip: Sequence[alt.Tooltip] = (),
) -> dict[str, Any]:
    """Bars per bucket (``rows``: ``{"label", "value"[, color_field]}``, in time order)."""
    labels = list(dict.fromkeys(row["label"] for row in rows))
    encoding: dict[str, Any] = {
        "x": alt.X(
            "label:O", sort=labels, title=x_title, axis=alt.Axis(**_axis_labels(len(labels)))
        ),
        "y": alt.Y("value:Q", title=y_title, axis=alt.Axis(format="~s")),
        "tooltip": [
            alt.Tooltip("label:O", title=x_title),
            alt.Tooltip("value:Q", title=y_title, format=","),
            *extra_tooltip,
        ],
    }
    if color_field:
        encoding["color"] = alt.Color(f"{color_field}:N", title=color_title)
        encoding["tooltip"].insert(1, alt.Tooltip(f"{color_field}:N", title=color_title))
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(**encoding)
        .properties(width="container", height=HEIGHT)
    )
    return finish(chart, description)


def lines_over_time(
    rows: Sequence[dict[str, Any]],
    *,
    x_title: str,
    y_title: str,
    series_title: str,
    description: str,
) -> dict[str, Any]:
    """One line per series (``rows``: ``{"label", "series", "value"}``, value ``None``
    where the series has no observation: the line breaks there instead of pretending)."""
    labels = list(dict.fromkeys(row["label"] for row in rows))
    series = list(dict.fromkeys(row["series"] for row in rows))
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "label:O", sort=labels, title=x_title, axis=alt.Axis(**_axis_labels(len(labels)))
            ),
            y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format="~s")),
            color=alt.Color("series:N", sort=series, title=series_title),
            tooltip=[
                alt.Tooltip("series:N", title=series_title),
                alt.Tooltip("label:O", title=x_title),
                alt.Tooltip("value:Q", title=y_title, format=","),
            ],
        )
        .properties(width="container", height=HEIGHT)
    )
    return finish(chart, description)


def horizontal_bars(
    rows: Sequence[dict[str, Any]], *, category_title: str, value_title: str, description: str
) -> dict[str, Any]:
    """Bars per category (``rows``: ``{"category", "value"}``, in the order to show)."""
    order = [row["category"] for row in rows]
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=category_title, axis=alt.Axis(labelLimit=360)),
            x=alt.X("value:Q", title=value_title),
            tooltip=[
                alt.Tooltip("category:N", title=category_title),
                alt.Tooltip("value:Q", title=value_title, format=","),
            ],
        )
        .properties(width="container", height=max(60, 28 * len(rows)))
    )
    return finish(chart, description)


def paired_bars(
    rows: Sequence[dict[str, Any]],
    *,
    category_title: str,
    measures: Sequence[str],
    description: str,
) -> dict[str, Any]:
    """Two or more measures per category, one small bar chart per measure, each with its own
    scale (``rows``: ``{"category", "measure", "value"}``)."""
    order = list(dict.fromkeys(row["category"] for row in rows))
    chart = (
        alt.Chart(alt.Data(values=list(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=order, title=category_title),
            x=alt.X("value:Q", title=None),
            color=alt.Color("measure:N", sort=list(measures), legend=None),
            tooltip=[
                alt.Tooltip("category:N", title=category_title),
                alt.Tooltip("measure:N", title=_("Measure")),
                alt.Tooltip("value:Q", title=_("Value"), format=","),
            ],
        )
        .properties(width=260, height=max(60, 32 * len(order)))
        .facet(column=alt.Column("measure:N", sort=list(measures), title=None))
        .resolve_scale(x="independent")
    )
    return finish(chart, description)
