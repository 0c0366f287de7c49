"""Survey results by wave: the share who agree per statement and wave, counted by hand from
the answers given, with the survey's suppression and the closing rule of anonymous waves."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from torg.evaluation.survey_waves import CellState, WaveCell, survey_waves
from torg.surveys import services
from torg.surveys.analysis.likert import Proportion, wilson_interval
from torg.surveys.models import Survey, Wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(municipality_x, site_a) -> Survey:
    return services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )


def _wave(survey: Survey, starts: dt.date, *, anonymous: bool = False) -> tuple[Wave, list[str]]:
    return services.wave_open(
        survey=survey,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=30),
        anonymous=anonymous,
        token_count=30,
    )


def _agree(cell: WaveCell) -> Proportion:
    assert cell.agree is not None, cell.state
    return cell.agree


def _answer(wave: Wave, token: str, **answers: int) -> None:
    services.response_submit(wave=wave, answers=answers, submission_key=uuid.uuid4(), token=token)


def test_the_share_agreeing_per_wave_is_the_count_by_hand(survey, municipality_x):
    first, tokens = _wave(survey, dt.date(2022, 3, 1))
    # Wave 1: 10 answer "cost-cutting": 3 agree (4 or 5), 7 do not.
    for i in range(10):
        _answer(first, tokens[i], **{"cost-cutting": 5 if i < 2 else 4 if i == 2 else 2})
    services.wave_set_status(wave=first, status="closed")
    second, tokens = _wave(survey, dt.date(2023, 3, 1))
    # Wave 2: 12 answer: 9 agree; "library-reputation" answered by only 3 (suppressed).
    for i in range(12):
        extra = {"library-reputation": 4} if i < 3 else {}
        _answer(second, tokens[i], **{"cost-cutting": 4 if i < 9 else 1}, **extra)
    (found,) = survey_waves(municipality_x)
    assert [w.number for w in found.waves] == [1, 2]
    rows = {row.code: row for row in found.rows}
    cost = rows["cost-cutting"].cells
    assert [c.state for c in cost] == [CellState.SHOWN, CellState.SHOWN]
    assert (_agree(cost[0]).count, _agree(cost[0]).n) == (3, 10)
    assert (_agree(cost[1]).count, _agree(cost[1]).n) == (9, 12)
    assert _agree(cost[1]).share == pytest.approx(0.75)
    low, high = wilson_interval(9, 12)
    assert (_agree(cost[1]).ci_low, _agree(cost[1]).ci_high) == pytest.approx((low, high))
    reputation = rows["library-reputation"].cells
    assert reputation[0].state == CellState.NO_ANSWERS
    assert reputation[1].state == CellState.SUPPRESSED and reputation[1].agree is None
    assert found.side(first, dt.date(2023, 1, 1)) == "before"
    assert found.side(second, dt.date(2023, 1, 1)) == "after"


def test_a_changed_statement_starts_a_new_row(survey, municipality_x):
    first, tokens = _wave(survey, dt.date(2022, 3, 1))
    for i in range(6):
        _answer(first, tokens[i], **{"cost-cutting": 5})
    second, tokens = _wave(survey, dt.date(2023, 3, 1))
    services.item_update(item=second.items.get(code="cost-cutting"), text_en="Changed.")
    for i in range(6):
        _answer(second, tokens[i], **{"cost-cutting": 1})
    (found,) = survey_waves(municipality_x)
    cost_rows = [row for row in found.rows if row.code == "cost-cutting"]
    assert [[c.state for c in row.cells] for row in cost_rows] == [
        [CellState.SHOWN, CellState.NOT_ASKED],
        [CellState.NOT_ASKED, CellState.SHOWN],
    ]
    assert _agree(cost_rows[0].cells[0]).count == 6
    assert _agree(cost_rows[1].cells[1]).count == 0


def test_an_open_anonymous_wave_shows_nothing_until_it_closes(survey, municipality_x):
    wave, tokens = _wave(survey, dt.date(2024, 3, 1), anonymous=True)
    for i in range(8):
        _answer(wave, tokens[i], **{"cost-cutting": 4})
    (found,) = survey_waves(municipality_x)
    assert {row.cells[0].state for row in found.rows} == {CellState.UNAVAILABLE}
    services.wave_set_status(wave=wave, status="closed")
    (found,) = survey_waves(municipality_x)
    cost = next(row for row in found.rows if row.code == "cost-cutting")
    assert (_agree(cost.cells[0]).count, _agree(cost.cells[0]).n) == (8, 8)


def test_another_municipality_sees_none_of_it(survey, municipality_x, municipality_y):
    first, tokens = _wave(survey, dt.date(2022, 3, 1))
    _answer(first, tokens[0], **{"cost-cutting": 5})
    assert survey_waves(municipality_y) == []
