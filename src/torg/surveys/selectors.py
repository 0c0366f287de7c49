"""Reads of the surveys app: the results of a wave, with small groups suppressed.

One function computes the results (:func:`wave_results`); the page, the API and the exports
use it, so the figures and what is hidden agree everywhere. Counting is done by
:mod:`torg.surveys.analysis` (no Django) on a codes matrix read in two queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from torg.organisation.models import Municipality, OrganisationalModel, SiteModelPeriod
from torg.organisation.scoping import scoped
from torg.organisation.selectors import period_on
from torg.surveys.analysis import (
    MISSING,
    ChiSquareResult,
    LevelCounts,
    LikertSummary,
    Proportion,
    Relation,
    TwoProportionResult,
    chi_square_groups,
    counts_from_row,
    grouped_level_counts,
    likert_summary,
    nested_exposures,
    share_agree,
    suppress,
    two_proportion_z,
)
from torg.surveys.models import Background, Item, ItemKind, Survey, Wave, WaveStatus

#: The key of respondents who did not answer the grouping question.
NOT_STATED = ""


def surveys_of(municipality: Municipality) -> QuerySet[Survey]:
    return scoped(Survey, municipality).prefetch_related(
        Prefetch("waves", queryset=scoped(Wave, municipality).order_by("number"))
    )


def waves_of(municipality: Municipality) -> QuerySet[Wave]:
    return scoped(Wave, municipality).select_related("survey")


@dataclass(frozen=True)
class GroupResult:
    """One group's result for one statement; ``summary`` and ``agree`` are ``None`` when
    the group is suppressed (``hidden``)."""

    key: str
    label: str
    answered: int
    hidden: bool
    summary: LikertSummary | None
    agree: Proportion | None


@dataclass(frozen=True)
class StatementResult:
    """One Likert statement of a wave: overall, by group, the test, and the previous wave."""

    item: Item
    labels: list[str]
    overall: GroupResult
    groups: list[GroupResult]
    test: ChiSquareResult | None
    previous_agree: Proportion | None = None
    change_test: TwoProportionResult | None = None


@dataclass(frozen=True)
class WaveResults:
    wave: Wave
    respondents: int
    min_group: int
    group_by: Item | None
    statements: list[StatementResult] = field(default_factory=list)
    hidden_respondents: bool = False
    #: The grouping as named in URLs (an item code, or ``model``) and as read on the page.
    group_code: str = ""
    group_title: str = ""


def _likert_items(wave: Wave) -> list[Item]:
    return list(wave.own_items().filter(kind=ItemKind.LIKERT).select_related("section"))


def _codes(wave: Wave, items: list[Item]) -> tuple[list[uuid.UUID], np.ndarray]:
    response_ids = list(wave.own_responses().values_list("pk", flat=True))
    row = {pk: i for i, pk in enumerate(response_ids)}
    column = {item.pk: j for j, item in enumerate(items)}
    codes = np.full((len(response_ids), len(items)), MISSING, dtype=np.int64)
    for response_id, item_id, level in (
        wave.own_answers().filter(item_id__in=column).values_list("response_id", "item_id", "level")
    ):
        if level is not None:
            codes[row[response_id], column[item_id]] = level
    return response_ids, codes


def _groups(
    wave: Wave, group_by: Item, response_ids: list[uuid.UUID]
) -> tuple[list[str], np.ndarray]:
    choice_of = dict(wave.own_answers().filter(item=group_by).values_list("response_id", "choice"))
    keys = [code for code, _ in group_by.choice_labels()] + [NOT_STATED]
    return keys, _index(keys, choice_of, response_ids)


#: The grouping by the organisational model of the respondent's site.
BY_MODEL = "model"


def site_item(wave: Wave) -> Item | None:
    """The wave's background question on the respondent's site, if it has one."""
    return wave.own_items().filter(kind=ItemKind.BACKGROUND, background=Background.SITE).first()


def _model_groups(wave: Wave, response_ids: list[uuid.UUID]) -> tuple[list[str], np.ndarray]:
    """Groups by the organisational model each respondent's site had on the wave's first day
    (:class:`~torg.organisation.models.SiteModelPeriod`); no site or no model: not stated."""
    item = site_item(wave)
    site_of = (
        dict(wave.own_answers().filter(item=item).values_list("response_id", "choice"))
        if item is not None
        else {}
    )
    periods: dict[str, list[SiteModelPeriod]] = {}
    for period in scoped(SiteModelPeriod, wave.municipality):
        periods.setdefault(str(period.site_id), []).append(period)
    model_of_site = {
        site: found.model
        for site, site_periods in periods.items()
        if (found := period_on(site_periods, wave.starts_on)) is not None
    }
    choice_of = {
        response: model_of_site.get(site, NOT_STATED) for response, site in site_of.items()
    }
    keys = [*OrganisationalModel.values, NOT_STATED]
    return keys, _index(keys, choice_of, response_ids)


def _index(
    keys: list[str], choice_of: dict[uuid.UUID, str], response_ids: list[uuid.UUID]
) -> np.ndarray:
    index = {key: i for i, key in enumerate(keys)}
    return np.array(
        [index.get(choice_of.get(pk, NOT_STATED), len(keys) - 1) for pk in response_ids],
        dtype=np.int64,
    )


def results_available(wave: Wave) -> bool:
    """Whether ``wave``'s results (distributions, groups, exports) may be shown: always for a
    wave that is not anonymous, and for an anonymous wave only once it has closed. Results
    that change with every response reveal one person's answers to whoever compares them
    before and after that person answered (found by the project-leader trial)."""
    return not wave.anonymous or wave.status == WaveStatus.CLOSED


def _other_groupings(
    wave: Wave, shown: str | None, response_ids: list[uuid.UUID]
) -> list[tuple[np.ndarray, int]]:
    """Every grouping a user may choose other than ``shown`` (a background question's code,
    or :data:`BY_MODEL`), as ``(group index per respondent, number of groups)``: what
    :func:`~torg.surveys.analysis.nested_exposures` compares the shown grouping with."""
    if shown is None:
        return []
    found: list[tuple[np.ndarray, int]] = []
    for item in wave.own_items().filter(kind=ItemKind.BACKGROUND):
        if item.code != shown:
            keys, index = _groups(wave, item, response_ids)
            found.append((index, len(keys)))
    if shown != BY_MODEL and site_item(wave) is not None:
        keys, index = _model_groups(wave, response_ids)
        found.append((index, len(keys)))
    return found


def wave_results(
    wave: Wave, group_by: Item | None = None, top: int | None = None, *, by_model: bool = False
) -> WaveResults:
    """Results of every Likert statement of ``wave``, optionally by a background item or
    (``by_model``) by the organisational model of the respondent's site on the wave's first day.

    Suppression (:func:`torg.surveys.analysis.suppress`) with the survey's ``min_group`` runs
    per statement over the cells "all respondents" and each group including those who did not
    state the group, with the relation all = sum of groups; a hidden statement total hides the
    statement. Comparable statements also get the previous wave's share who agree, shown only
    when both waves' totals are shown, and a two-proportion z test of the change.
    """
    k = wave.survey.min_group
    top = top or wave.survey.agree_levels
    items = _likert_items(wave)
    response_ids, codes = _codes(wave, items)
    respondents = len(response_ids)
    grouped = group_by is not None or by_model
    group_code, group_title = "", ""
    if by_model:
        keys, group_index = _model_groups(wave, response_ids)
        labels = {str(value): str(label) for value, label in OrganisationalModel.choices}
        group_code, group_title, group_by = BY_MODEL, str(_("Organisational model")), None
    elif group_by is not None:
        keys, group_index = _groups(wave, group_by, response_ids)
        labels = dict(group_by.choice_labels())
        group_code, group_title = group_by.code, group_by.text
    else:
        keys, group_index, labels = ["all"], np.zeros(respondents, dtype=np.int64), {}
    table = grouped_level_counts(codes.reshape(respondents, len(items)), group_index, len(keys), 7)
    others = _other_groupings(wave, group_code if grouped else None, response_ids)
    previous = _previous_agree(wave, items, top)
    statements = []
    for j, item in enumerate(items):
        points = item.scale_points or 5
        by_group = {key: _trim(counts_from_row(table[j, g]), points) for g, key in enumerate(keys)}
        total = sum(by_group.values(), LevelCounts(tuple([0] * points)))
        cells: dict[Hashable, int] = {("all",): total.answered}
        cells |= {("group", key): c.answered for key, c in by_group.items()}
        relations = [Relation(("all",), tuple(("group", key) for key in keys))]
        exposed: set[int] = set()
        if grouped and others:
            answered = (codes[:, j] >= 1) & (codes[:, j] <= points)
            exposed = nested_exposures(
                group_index[answered],
                len(keys),
                [(index[answered], size) for index, size in others],
                k=k,
            )
        hidden = suppress(
            cells,
            relations if grouped else [],
            k=k,
            also_hide=[("group", keys[g]) for g in sorted(exposed)],
        )
        overall = _group_result("all", "", total, not hidden.shown(("all",)), top)
        groups = []
        if grouped:
            for key, c in by_group.items():
                shown = hidden.shown(("group", key)) and hidden.shown(("all",))
                groups.append(_group_result(key, labels.get(key, ""), c, not shown, top))
        shown_groups = {g.key: by_group[g.key] for g in groups if not g.hidden and g.answered}
        test = chi_square_groups(shown_groups, min_group=k) if len(shown_groups) >= 2 else None
        previous_agree, change = None, None
        before = previous.get(item.comparable_to_id or -1)
        if item.comparable and before is not None and not overall.hidden and overall.agree:
            previous_agree = before
            if before.n and overall.agree.n:
                change = two_proportion_z(
                    overall.agree.count, overall.agree.n, before.count, before.n
                )
        statements.append(
            StatementResult(
                item=item,
                labels=item.level_labels(),
                overall=overall,
                groups=groups,
                test=test,
                previous_agree=previous_agree,
                change_test=change,
            )
        )
    return WaveResults(
        wave=wave,
        respondents=respondents,
        min_group=k,
        group_by=group_by,
        statements=statements,
        hidden_respondents=0 < respondents < k,
        group_code=group_code,
        group_title=group_title,
    )


def _trim(counts: LevelCounts, points: int) -> LevelCounts:
    return LevelCounts(counts.counts[:points], counts.dont_know, counts.missing)


def _group_result(key: str, label: str, counts: LevelCounts, hidden: bool, top: int) -> GroupResult:
    if hidden or counts.answered == 0:
        return GroupResult(key, label, counts.answered, hidden, None, None)
    return GroupResult(
        key, label, counts.answered, False, likert_summary(counts), share_agree(counts, top)
    )


def _previous_agree(wave: Wave, items: list[Item], top: int) -> dict[int, Proportion]:
    """Share who agree per item of the previous wave, for totals shown there (n >= k)."""
    previous_wave = wave.previous
    if previous_wave is None:
        return {}
    before = [
        item
        for item in _likert_items(previous_wave)
        if item.pk in {i.comparable_to_id for i in items}
    ]
    if not before:
        return {}
    response_ids, codes = _codes(previous_wave, before)
    table = grouped_level_counts(codes, np.zeros(len(response_ids), dtype=np.int64), 1, 7)
    k = wave.survey.min_group
    result = {}
    for j, item in enumerate(before):
        counts = _trim(counts_from_row(table[j, 0]), item.scale_points or 5)
        if counts.answered >= k:
            result[item.pk] = share_agree(counts, top)
    return result


def free_texts(wave: Wave) -> list[str] | None:
    """Free-text answers of ``wave`` in alphabetical order (not the order they came in), or
    ``None`` when the wave has fewer respondents than the survey's free-text threshold."""
    respondents = wave.own_responses().count()
    if respondents < wave.survey.free_text_min_group:
        return None
    texts = wave.own_answers().filter(item__kind=ItemKind.FREE_TEXT).exclude(text="")
    return sorted(texts.values_list("text", flat=True))
