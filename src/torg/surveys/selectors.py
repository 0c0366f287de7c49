"""Reads of the surveys app: the results of a wave, with small groups suppressed.

One function computes the results (:func:`wave_results`); the page, the API and the exports
use it, so the figures and what is hidden agree everywhere. Counting is done by
:mod:`torg.surveys.analysis` (no Django) on a codes matrix read in two queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field, replace
from functools import lru_cache

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
    Suppression,
    TwoProportionResult,
    chi_square_groups,
    counts_from_row,
    grouped_level_counts,
    likert_summary,
    nested_exposures,
    share_agree,
    suppress,
    suppress_audited,
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
    the group is suppressed (``hidden``). With a grouping and a previous wave, a group shown
    in both waves also has the previous wave's share who agree and the test of the change."""

    key: str
    label: str
    answered: int
    hidden: bool
    summary: LikertSummary | None
    agree: Proportion | None
    #: The same group's share who agree in the previous wave and the two-proportion z test
    #: of the change; ``None`` unless the group is shown in both waves.
    previous_agree: Proportion | None = None
    change_test: TwoProportionResult | None = None


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


def _model_groups(
    wave: Wave, response_ids: list[uuid.UUID]
) -> tuple[list[str], np.ndarray, dict[str, str]]:
    """Groups by the organisational model each respondent's site had on the wave's first day
    (:class:`~torg.organisation.models.SiteModelPeriod`); no site or no model: not stated.
    Returns the keys, the group of each respondent and the model of each site (by the
    site question's choice code; a site without a model is not in it)."""
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
    return (
        keys,
        _index(keys, choice_of, response_ids),
        {k: str(v) for k, v in model_of_site.items()},
    )


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


@dataclass(frozen=True)
class Grouping:
    """One way to group a wave's respondents: ``code`` (a background question's code, or
    :data:`BY_MODEL`), its group ``keys`` (the last is :data:`NOT_STATED`) and ``index``, the
    position in ``keys`` of each respondent's group."""

    code: str
    keys: list[str]
    index: np.ndarray


def groupings_of(
    wave: Wave, response_ids: list[uuid.UUID]
) -> tuple[list[Grouping], list[Relation]]:
    """Every grouping a user may choose for ``wave`` (each background question, and the
    organisational model when the wave asks for the site) and the relations that tie one
    grouping's groups to another's, which anyone can work out: a model's group is the sum of
    the groups of the sites that had that model (their model history is on the site pages).
    Cells are ``(grouping code, key)``."""
    groupings: list[Grouping] = []
    for item in wave.own_items().filter(kind=ItemKind.BACKGROUND):
        keys, index = _groups(wave, item, response_ids)
        groupings.append(Grouping(item.code, keys, index))
    links: list[Relation] = []
    site = site_item(wave)
    if site is not None:
        keys, index, model_of_site = _model_groups(wave, response_ids)
        groupings.append(Grouping(BY_MODEL, keys, index))
        site_keys = next(g.keys for g in groupings if g.code == site.code)
        for model in keys:
            parts = tuple(
                (site.code, key) for key in site_keys if model_of_site.get(key, NOT_STATED) == model
            )
            if parts:
                links.append(Relation((BY_MODEL, model), parts))
    return groupings, links


def statement_suppression(
    groupings: list[Grouping], links: list[Relation], answered: np.ndarray, k: int
) -> Suppression:
    """Which cells of one statement are hidden, over every grouping at once, so that no
    page, export or API answer (each shows one grouping) can be combined with another to
    recover a hidden group.

    Cells: ``("all",)`` and ``(grouping code, key)``, counting the group's respondents
    (who belongs to a group is known from every statement, so a group whose one member
    said "don't know" must not show "0 answered"); a group, or the total, with fewer than
    ``k`` who ``answered`` (a boolean per respondent) with a level is hidden as well. Relations: all = the sum of each
    grouping's groups, and the ``links`` between groupings (:func:`groupings_of`). A group
    that a group of another grouping nests inside with fewer than ``k`` left over is hidden
    from the start (:func:`~torg.surveys.analysis.nested_exposures`). Then complementary
    suppression over all the relations together, and, when there are links, the linear
    programming audit of the whole pattern with a further cell hidden until no hidden cell
    can be pinned down (:func:`~torg.surveys.analysis.suppress_audited`). Without links
    each grouping's relation shares only the total with the others, and a shown total with
    at least two hidden parts adding up to ``k`` or more leaves each part anywhere between
    0 and that sum, so :func:`~torg.surveys.analysis.suppress` alone is safe (the tests
    check this against the audit).
    """
    # The cells count every respondent of the group, not only those who answered this
    # statement: who belongs to a group is known from every other statement, so a group
    # of one whose member said "don't know" must not show "0 answered" (it would tell
    # what that one person said). Groups whose answers are too few are hidden as well.
    members = np.ones_like(answered, dtype=bool)
    cells: dict[Hashable, int] = {("all",): int(members.sum())}
    relations: list[Relation] = []
    also_hide: list[Hashable] = []
    if 0 < int(answered.sum()) < k:
        also_hide.append(("all",))
    for grouping in groupings:
        counts = np.bincount(grouping.index[members], minlength=len(grouping.keys))
        cells |= {(grouping.code, key): int(counts[i]) for i, key in enumerate(grouping.keys)}
        relations.append(Relation(("all",), tuple((grouping.code, key) for key in grouping.keys)))
        with_answers = np.bincount(grouping.index[answered], minlength=len(grouping.keys))
        also_hide += [
            (grouping.code, key) for i, key in enumerate(grouping.keys) if 0 < with_answers[i] < k
        ]
    relations += links
    for grouping in groupings:
        others = [(o.index[members], len(o.keys)) for o in groupings if o is not grouping]
        exposed = nested_exposures(grouping.index[members], len(grouping.keys), others, k=k)
        # A group of everyone who answered is the total, which is shown anyway; what it
        # would expose, the total exposes too, and the nested group's own grouping hides it.
        also_hide += [
            (grouping.code, grouping.keys[g])
            for g in sorted(exposed)
            if cells[(grouping.code, grouping.keys[g])] != cells[("all",)]
        ]
    return _suppress_cached(
        tuple(cells.items()), tuple(relations), k, tuple(also_hide), audited=bool(links)
    )


@lru_cache(maxsize=256)
def _suppress_cached(
    cells: tuple[tuple[Hashable, int], ...],
    relations: tuple[Relation, ...],
    k: int,
    also_hide: tuple[Hashable, ...],
    *,
    audited: bool,
) -> Suppression:
    # The statements of a wave are mostly answered by the same respondents, so their cells
    # repeat; the audit's linear programmes run once per distinct table.
    method = suppress_audited if audited else suppress
    return method(dict(cells), relations, k, also_hide=also_hide)


def wave_results(
    wave: Wave,
    group_by: Item | None = None,
    top: int | None = None,
    *,
    by_model: bool = False,
    compare: bool = True,
) -> WaveResults:
    """Results of every Likert statement of ``wave``, optionally by a background item or
    (``by_model``) by the organisational model of the respondent's site on the wave's first day.

    Suppression with the survey's ``min_group`` runs per statement over every grouping at
    once (:func:`statement_suppression`), whichever one is shown, so the hidden groups are
    the same on every page, export and API answer and none can be recovered by combining
    them; a hidden statement total hides the statement. Comparable statements also get the previous wave's share who agree, shown only
    when both waves' totals are shown, and a two-proportion z test of the change; with a
    grouping, each group gets the same from the previous wave's results by the same grouping
    (:func:`_compare_groups`) when ``compare``.
    """
    k = wave.survey.min_group
    top = top or wave.survey.agree_levels
    items = _likert_items(wave)
    response_ids, codes = _codes(wave, items)
    respondents = len(response_ids)
    grouped = group_by is not None or by_model
    group_code, group_title = "", ""
    groupings, links = groupings_of(wave, response_ids)
    chosen = next(
        (
            g
            for g in groupings
            if g.code == (BY_MODEL if by_model else getattr(group_by, "code", None))
        ),
        None,
    )
    if by_model:
        keys, group_index = (
            (chosen.keys, chosen.index) if chosen else _model_groups(wave, response_ids)[:2]
        )
        labels = {str(value): str(label) for value, label in OrganisationalModel.choices}
        group_code, group_title, group_by = BY_MODEL, str(_("Organisational model")), None
    elif group_by is not None:
        keys, group_index = (
            (chosen.keys, chosen.index) if chosen else _groups(wave, group_by, response_ids)
        )
        labels = dict(group_by.choice_labels())
        group_code, group_title = group_by.code, group_by.text
    else:
        keys, group_index, labels = ["all"], np.zeros(respondents, dtype=np.int64), {}
    table = grouped_level_counts(codes.reshape(respondents, len(items)), group_index, len(keys), 7)
    previous = _previous_agree(wave, items, top)
    statements = []
    for j, item in enumerate(items):
        points = item.scale_points or 5
        by_group = {key: _trim(counts_from_row(table[j, g]), points) for g, key in enumerate(keys)}
        total = sum(by_group.values(), LevelCounts(tuple([0] * points)))
        answered = (codes[:, j] >= 1) & (codes[:, j] <= points)
        hidden = statement_suppression(groupings, links, answered, k)
        group_cell = group_code if grouped else ""
        overall = _group_result("all", "", total, not hidden.shown(("all",)), top)
        groups = []
        if grouped:
            for key, c in by_group.items():
                shown = hidden.shown((group_cell, key)) and hidden.shown(("all",))
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
    if grouped and compare and wave.previous is not None:
        statements = _compare_groups(wave.previous, statements, group_by, by_model, top)
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


def _compare_groups(
    previous_wave: Wave,
    statements: list[StatementResult],
    group_by: Item | None,
    by_model: bool,
    top: int,
) -> list[StatementResult]:
    """``statements`` with each group's change from ``previous_wave``: the previous wave's
    results by the same grouping (the background item this one was copied from, or the
    model), suppressed as that wave's own page suppresses them. A group hidden in either
    wave gets no comparison, so no comparison reveals what either wave hides; a statement
    changed since the previous wave (not comparable) gets none either."""
    before_item = None
    if group_by is not None:
        if group_by.comparable_to_id is None or not group_by.comparable:
            return statements
        before_item = previous_wave.own_items().filter(pk=group_by.comparable_to_id).first()
        if before_item is None:
            return statements
    before = wave_results(
        previous_wave, group_by=before_item, top=top, by_model=by_model, compare=False
    )
    by_item = {s.item.pk: s for s in before.statements}
    compared = []
    for statement in statements:
        earlier = by_item.get(statement.item.comparable_to_id or -1)
        if earlier is None or not statement.item.comparable:
            compared.append(statement)
            continue
        earlier_groups = {g.key: g for g in earlier.groups}
        groups = []
        for group in statement.groups:
            then = earlier_groups.get(group.key)
            now_agree = group.agree
            if (
                then is None
                or then.hidden
                or group.hidden
                or then.agree is None
                or now_agree is None
                or not then.agree.n
                or not now_agree.n
            ):
                groups.append(group)
                continue
            change = two_proportion_z(now_agree.count, now_agree.n, then.agree.count, then.agree.n)
            groups.append(replace(group, previous_agree=then.agree, change_test=change))
        compared.append(replace(statement, groups=groups))
    return compared


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
