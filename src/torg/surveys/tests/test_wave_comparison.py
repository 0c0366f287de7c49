"""Wave-on-wave comparison by group: a group is compared only when it is shown in both waves,
with the two-proportion z test checked against the formula worked out here."""

from __future__ import annotations

import datetime as dt
import math
import uuid

import pytest
from django.urls import reverse

from torg.surveys import services
from torg.surveys.selectors import wave_results

pytestmark = pytest.mark.django_db


def _answer_all(wave, tokens, people):
    for token, (role, service, level) in zip(tokens, people, strict=False):
        services.response_submit(
            wave=wave,
            answers={"role": role, "service": service, "cost-cutting": level},
            submission_key=uuid.uuid4(),
            token=token,
        )
    services.wave_set_status(wave=wave, status="closed")


@pytest.fixture
def two_waves(municipality_x, site_a):
    survey = services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )
    first, tokens = services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2022, 1, 31),
        anonymous=True,
        token_count=16,
    )
    # Wave 1, 16 people. Role: generalist 8 (2 agree), specialist 6, other 2. Service:
    # library 8 (even numbers; 4 agree: 0, 8, 10, 12), citizen service 8.
    people = []
    for i in range(16):
        role = "generalist" if i < 8 else "specialist" if i < 14 else "other"
        service = "library" if i % 2 == 0 else "citizen_service"
        agree = (role == "generalist" and i < 2) or (service == "library" and i in (8, 10, 12))
        people.append((role, service, 5 if agree else 1))
    _answer_all(first, tokens, people)
    second, tokens = services.wave_open(
        survey=survey,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=21,
    )
    # Wave 2, 21 people. Role: generalist 9 (7 agree), specialist 6, other 6. Service:
    # library 15 (0–14; 10 agree: 0–6 and 9–11), citizen service 3, both 3.
    people = []
    for i in range(21):
        role = "generalist" if i < 9 else "specialist" if i < 15 else "other"
        service = "library" if i < 15 else "citizen_service" if i < 18 else "both"
        agree = i < 7 or 9 <= i <= 11
        people.append((role, service, 4 if agree else 2))
    _answer_all(second, tokens, people)
    return first, second


def _pooled_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float, float]:
    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = math.erfc(abs(z) / math.sqrt(2))
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    return z, p_value, h


def _groups(wave, code):
    results = wave_results(wave, group_by=wave.own_items().get(code=code))
    statement = next(s for s in results.statements if s.item.code == "cost-cutting")
    return {g.key: g for g in statement.groups}


def test_a_group_hidden_in_the_previous_wave_is_not_compared(two_waves):
    first, second = two_waves
    then = _groups(first, "role")
    # Wave 1 by role: other (2) is hidden, and specialist (6), the smallest shown, with it.
    assert [k for k, g in then.items() if not g.hidden and g.answered] == ["generalist"]
    now = _groups(second, "role")
    assert not now["specialist"].hidden and not now["other"].hidden
    assert now["specialist"].change_test is None and now["specialist"].previous_agree is None
    assert now["other"].change_test is None
    generalist = now["generalist"]
    assert generalist.previous_agree is not None and generalist.change_test is not None
    assert (generalist.previous_agree.count, generalist.previous_agree.n) == (2, 8)
    z, p_value, h = _pooled_z(7, 9, 2, 8)
    assert generalist.change_test.z == pytest.approx(z)
    assert generalist.change_test.p_value == pytest.approx(p_value)
    assert generalist.change_test.cohens_h == pytest.approx(h)
    assert generalist.change_test.difference == pytest.approx(7 / 9 - 2 / 8)


def test_a_group_hidden_in_this_wave_is_not_compared(two_waves):
    _first, second = two_waves
    now = _groups(second, "service")
    # Wave 2 by service: citizen service (3) and both (3) are hidden; both were shown or
    # empty in wave 1, and neither gets a comparison.
    assert now["citizen_service"].hidden and now["both"].hidden
    assert now["citizen_service"].previous_agree is None
    assert now["citizen_service"].change_test is None
    library = now["library"]
    assert library.change_test is not None
    z, p_value, _h = _pooled_z(10, 15, 4, 8)
    assert library.change_test.z == pytest.approx(z)
    assert library.change_test.p_value == pytest.approx(p_value)


def test_the_page_and_the_api_show_the_comparison_by_group(
    two_waves, municipality_x, analyst_x, client_for
):
    _first, second = two_waves
    url = reverse("surveys:results", args=[municipality_x.slug, second.pk])
    page = client_for(analyst_x).get(url, {"group_by": "role"}, headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert "Share who agree by Role, this wave and the previous one" in text
    assert "No comparison (hidden in one of the waves, or no answers)" in text
    api_url = f"/api/v1/m/{municipality_x.slug}/survey-waves/{second.pk}/results/"
    data = client_for(analyst_x).get(api_url, {"group_by": "role"}).json()
    statement = next(s for s in data["statements"] if s["code"] == "cost-cutting")
    groups = {g["key"]: g for g in statement["groups"]}
    assert groups["generalist"]["previous_agree"] == {"count": 2, "n": 8, "share": 0.25}
    assert "change" not in groups["specialist"] and "previous_agree" not in groups["other"]
