"""No group can be recovered by combining the groupings a user may choose (each page, export
and API answer shows one) with their totals: the attacks across groupings, and the audit."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Hashable

import numpy as np
import pytest

from torg.organisation.models import OrganisationalModel, SiteModelPeriod
from torg.surveys import services
from torg.surveys.analysis import Relation, Suppression, audit, suppress, suppress_audited
from torg.surveys.selectors import BY_MODEL, groupings_of, statement_suppression, wave_results
from torg.testing.factories import make_site


def _grid(values: dict[tuple[int, int], int]) -> tuple[dict[Hashable, int], list[Relation]]:
    rows = sorted({i for i, _ in values})
    columns = sorted({j for _, j in values})
    counts: dict[Hashable, int] = {("x", i, j): n for (i, j), n in values.items()}
    counts |= {("r", i): sum(values[i, j] for j in columns) for i in rows}
    counts |= {("c", j): sum(values[i, j] for i in rows) for j in columns}
    relations = [Relation(("r", i), tuple(("x", i, j) for j in columns)) for i in rows]
    relations += [Relation(("c", j), tuple(("x", i, j) for i in rows)) for j in columns]
    return counts, relations


def test_the_audit_finds_a_cell_that_only_several_relations_together_pin_down():
    # A 4 × 4 table, every cell 10 but (2, 3) = 3. Hidden: the rectangle rows 1–2 × columns
    # 1–2, the rectangle rows 3–4 × columns 3–4, and (2, 3) between them. Every row and column
    # has 0 or at least 2 hidden cells adding up to at least 5, so suppress() adds nothing;
    # but rows 1 + 2 minus columns 1 + 2 (all shown totals, less the shown cells) is (2, 3).
    values = {(i, j): 10 for i in range(1, 5) for j in range(1, 5)}
    values[2, 3] = 3
    counts, relations = _grid(values)
    rectangles = [("x", i, j) for i in (1, 2) for j in (1, 2)]
    rectangles += [("x", i, j) for i in (3, 4) for j in (3, 4)]
    greedy = suppress(counts, relations, 5, also_hide=rectangles)
    assert set(greedy.hidden) == {*rectangles, ("x", 2, 3)}
    exposed = audit(counts, relations, greedy)
    assert [e.cell for e in exposed] == [("x", 2, 3)]
    assert exposed[0].lowest == pytest.approx(3) and exposed[0].highest == pytest.approx(3)
    # By hand: (2, 3)'s row and column are the relations that name it; its row's smallest
    # shown cell is (2, 4) = 10, which joins it to the second rectangle through a cycle.
    safe = suppress_audited(counts, relations, 5, also_hide=rectangles)
    assert audit(counts, relations, safe) == []
    assert set(safe.hidden) - set(greedy.hidden) == {("x", 2, 4)}


@pytest.mark.parametrize("seed", range(25))
def test_without_links_between_groupings_the_greedy_pattern_survives_the_full_audit(seed):
    """The proof by trial that one relation per grouping (each sharing only the total) needs
    no linear programme: whatever suppress() leaves, the audit of all groupings at once finds
    nothing (random respondents in three groupings, k from 3 to 7)."""
    rng = random.Random(seed)
    k = rng.randint(3, 7)
    n = rng.randint(k, 60)
    counts: dict[Hashable, int] = {("all",): n}
    relations = []
    for grouping, size in enumerate(rng.sample(range(2, 7), 3)):
        index = np.array([rng.randrange(size) for _ in range(n)])
        sizes = np.bincount(index, minlength=size)
        counts |= {(grouping, g): int(sizes[g]) for g in range(size)}
        relations.append(Relation(("all",), tuple((grouping, g) for g in range(size))))
    pattern = suppress(counts, relations, k)
    assert audit(counts, relations, pattern) == []


@pytest.fixture
def wave_with_models(municipality_x):
    """Six sites: A (3 people), D1 (5), D2 (5) in total cooperation; B, E, F (3 each) in
    hybrid cooperation. 22 respondents."""
    sizes = {"A": 3, "D1": 5, "D2": 5, "B": 3, "E": 3, "F": 3}
    models = {"A": "total", "D1": "total", "D2": "total", "B": "hybrid", "E": "hybrid"}
    models["F"] = "hybrid"
    sites = {name: make_site(municipality_x, f"Site {name}") for name in sizes}
    for name, site in sites.items():
        SiteModelPeriod.objects.create(
            municipality=municipality_x,
            site=site,
            model=OrganisationalModel(models[name]),
            valid_from=dt.date(2020, 1, 1),
        )
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    wave, tokens = services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=22,
    )
    token = iter(tokens)
    for name, size in sizes.items():
        for i in range(size):
            services.response_submit(
                wave=wave,
                answers={"site": str(sites[name].pk), "cost-cutting": 1 + i % 5},
                submission_key=uuid.uuid4(),
                token=next(token),
            )
    services.wave_set_status(wave=wave, status="closed")
    return wave, {name: str(site.pk) for name, site in sites.items()}


def _shown(wave, **kwargs) -> dict[str, int]:
    statement = next(
        s for s in wave_results(wave, **kwargs).statements if s.item.code == "cost-cutting"
    )
    return {g.key: g.answered for g in statement.groups if not g.hidden}


@pytest.mark.django_db
def test_a_site_cannot_be_recovered_as_its_model_minus_the_other_sites(wave_with_models):
    """The attack: the model page shows total cooperation (13), the site page shows D1 (5)
    and D2 (5), so A = 13 - 5 - 5 = 3 people. No single grouping, nor a group nested in one
    group of another, gives A away; only the two pages together do."""
    wave, site = wave_with_models
    by_site = _shown(wave, group_by=wave.own_items().get(code="site"))
    by_model = _shown(wave, by_model=True)
    assert site["A"] not in by_site
    assert not ("total" in by_model and site["D1"] in by_site and site["D2"] in by_site)
    # Every page together, checked by the linear-programming audit over all relations.
    response_ids = list(wave.own_responses().values_list("pk", flat=True))
    groupings, links = groupings_of(wave, response_ids)
    assert [link.total for link in links] == [
        (BY_MODEL, "total"),
        (BY_MODEL, "hybrid"),
        (BY_MODEL, ""),
    ]
    counts: dict[Hashable, int] = {("all",): 22}
    relations = list(links)
    hidden: dict[Hashable, str] = {}
    shown_by = {"site": by_site, BY_MODEL: by_model}
    for grouping in groupings:
        sizes = np.bincount(grouping.index, minlength=len(grouping.keys))
        cells = [(grouping.code, key) for key in grouping.keys]
        counts |= {cell: int(sizes[i]) for i, cell in enumerate(cells)}
        relations.append(Relation(("all",), tuple(cells)))
        if grouping.code in shown_by:
            hidden |= {cell: "hidden" for cell in cells if cell[1] not in shown_by[grouping.code]}
    hidden = {cell: h for cell, h in hidden.items() if counts[cell] > 0}
    assert audit(counts, relations, Suppression(5, hidden)) == []  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_hidden_groups_are_the_same_whichever_grouping_is_shown(wave_with_models):
    wave, _ = wave_with_models
    response_ids = list(wave.own_responses().values_list("pk", flat=True))
    groupings, links = groupings_of(wave, response_ids)
    answered = np.ones(len(response_ids), dtype=bool)
    pattern = statement_suppression(groupings, links, answered, 5)
    by_site = _shown(wave, group_by=wave.own_items().get(code="site"))
    hidden_sites = {
        cell[1] for cell in pattern.hidden if isinstance(cell, tuple) and cell[0] == "site"
    }
    assert hidden_sites and hidden_sites.isdisjoint(by_site)
    assert all(pattern.shown(("site", key)) for key in by_site)


@pytest.mark.parametrize("seed", range(15))
def test_the_audits_shortcut_finds_what_a_linear_programme_per_cell_finds(seed):
    """The audit solves linear programmes only for cells the null space cannot move; the
    same random patterns checked with two programmes for every hidden cell agree."""
    from scipy.optimize import linprog

    rng = random.Random(seed)
    values = {(i, j): rng.randint(1, 9) for i in range(4) for j in range(4)}
    counts, relations = _grid(values)
    hidden_cells = [c for c in counts if rng.random() < 0.35]
    pattern = Suppression(5, {c: "primary" for c in hidden_cells})  # type: ignore[misc]
    index = {c: i for i, c in enumerate(hidden_cells)}
    rows, rhs = [], []
    for relation in relations:
        row = np.zeros(len(hidden_cells))
        constant = 0.0
        for sign, cell in [(1.0, relation.total)] + [(-1.0, p) for p in relation.parts]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * counts[cell]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    expected = []
    for cell, i in index.items():
        objective = np.zeros(len(hidden_cells))
        objective[i] = 1
        bounds = [(0, None)] * len(hidden_cells)
        kwargs = {"A_eq": np.array(rows), "b_eq": np.array(rhs)} if rows else {}
        low = linprog(objective, bounds=bounds, method="highs", **kwargs)
        high = linprog(-objective, bounds=bounds, method="highs", **kwargs)
        highest = -high.fun if high.status == 0 else float("inf")
        lowest = low.fun if low.status == 0 else 0.0
        if highest - lowest < 1:
            expected.append(cell)
    assert [e.cell for e in audit(counts, relations, pattern)] == expected


def test_a_group_of_one_that_said_dont_know_is_hidden_not_shown_as_zero() -> None:
    """Found in the project-leader trial: the only respondent at Mjøndalen answered
    "don't know" to one statement, and the page showed Mjøndalen with 0 answers there
    (hidden on every other statement), which told what that one person said. Who belongs
    to a group is known from the other statements, so the cells count the group's
    respondents; and the total alone must not give the group away by subtraction."""
    from torg.surveys.selectors import Grouping, statement_suppression

    # Eight respondents: seven at Drammen, one at Mjøndalen; six at Drammen answered with
    # a level, the Mjøndalen one and one at Drammen said "don't know".
    site = Grouping("site", ["drammen", "mjondalen", "not_stated"], np.array([0] * 7 + [1]))
    answered = np.array([True] * 6 + [False, False])
    hidden = statement_suppression([site], [], answered, 5)
    assert not hidden.shown(("site", "mjondalen"))
    # With Mjøndalen hidden, Drammen's count would give it away (all - Drammen), so
    # Drammen is hidden too; the total of eight stays.
    assert not hidden.shown(("site", "drammen"))
    assert hidden.shown(("all",))
    # Six answered overall: enough to show the total's distribution.
    everyone = statement_suppression([site], [], np.ones(8, dtype=bool), 5)
    assert not everyone.shown(("site", "mjondalen")) and everyone.shown(("all",))
