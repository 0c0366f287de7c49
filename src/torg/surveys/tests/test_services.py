"""Creating surveys from templates, waves, tokens, idempotent submits, anonymity, results."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from torg.surveys import services
from torg.surveys.models import (
    Answer,
    InvitationToken,
    ItemKind,
    Response,
    ResponseDraft,
    Survey,
    Wave,
)
from torg.surveys.selectors import free_texts, wave_results
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db

START, END = dt.date(2022, 12, 1), dt.date(2023, 1, 31)


@pytest.fixture
def survey(municipality_x, site_a) -> Survey:
    make_site(municipality_x, "Torget C")
    return services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )


def open_wave(survey: Survey, tokens: int = 20, **kwargs) -> tuple[Wave, list[str]]:
    return services.wave_open(
        survey=survey, starts_on=START, ends_on=END, anonymous=True, token_count=tokens, **kwargs
    )


def answer(wave: Wave, token: str | None = None, **answers) -> Response:
    response, created = services.response_submit(
        wave=wave, answers=answers, submission_key=uuid.uuid4(), token=token
    )
    assert created
    return response


def test_a_survey_is_a_copy_of_the_template_with_its_statements(survey) -> None:
    wave, tokens = open_wave(survey)
    assert len(tokens) == 20 and len(set(tokens)) == 20
    codes = set(wave.items.values_list("code", flat=True))
    assert {
        "library-free-role",
        "shared-desk-confusion",
        "cost-cutting",
        "library-reputation",
        "attractive-workplace",
    } <= codes
    statement = wave.items.get(code="cost-cutting")
    assert statement.scale_points == 5 and statement.has_neutral and statement.allows_dont_know
    assert statement.text_nn and statement.text_en and len(statement.labels) == 5
    site = wave.items.get(code="site")
    assert [c["nb"] for c in site.choices] == ["Torget A", "Torget C"]


def test_tokens_are_stored_only_as_hashes(survey) -> None:
    wave, tokens = open_wave(survey, tokens=3)
    stored = set(InvitationToken.objects.filter(wave=wave).values_list("token_hash", flat=True))
    assert not stored & set(tokens)
    assert stored == {services.token_hash(t) for t in tokens}


def test_a_token_is_single_use_and_never_linked_to_the_response(survey) -> None:
    wave, tokens = open_wave(survey, tokens=2)
    response = answer(wave, tokens[0], **{"cost-cutting": 4})
    with pytest.raises(services.TokenInvalid):
        answer(wave, tokens[0], **{"cost-cutting": 2})
    token = InvitationToken.objects.get(token_hash=services.token_hash(tokens[0]))
    assert token.used
    # No field of the response or its answers names the token, a time or an address.
    fields = {f.name for f in Response._meta.get_fields()} | {
        f.name for f in Answer._meta.get_fields()
    }
    assert not fields & {"token", "created_at", "submitted_at", "ip", "user_agent", "updated_at"}
    assert str(response.pk) not in str(InvitationToken.objects.values())


def test_a_double_submit_stores_one_response(survey) -> None:
    wave, tokens = open_wave(survey, tokens=1)
    key = uuid.uuid4()
    first, created = services.response_submit(
        wave=wave, answers={"cost-cutting": 5}, submission_key=key, token=tokens[0]
    )
    again, created_again = services.response_submit(
        wave=wave, answers={"cost-cutting": 5}, submission_key=key, token=tokens[0]
    )
    assert created and not created_again and first.pk == again.pk
    assert Response.objects.filter(wave=wave).count() == 1


def test_anonymity_is_fixed_after_the_first_response(survey) -> None:
    wave, tokens = open_wave(survey)
    wave = services.wave_set_anonymity(wave=wave, anonymous=False)
    wave = services.wave_set_anonymity(wave=wave, anonymous=True)
    answer(wave, tokens[0], **{"cost-cutting": 3})
    with pytest.raises(services.AnonymityLocked):
        services.wave_set_anonymity(wave=wave, anonymous=False)
    wave.refresh_from_db()
    assert wave.anonymous


def test_save_and_resume_with_the_token_then_the_draft_is_gone(survey) -> None:
    wave, tokens = open_wave(survey, tokens=1)
    services.draft_save(wave=wave, token=tokens[0], answers={"cost-cutting": "2"})
    assert services.draft_load(wave=wave, token=tokens[0]) == {"cost-cutting": "2"}
    answer(wave, tokens[0], **{"cost-cutting": 2})
    assert not ResponseDraft.objects.exists()


def test_bad_answers_are_refused_naming_the_item(survey) -> None:
    wave, tokens = open_wave(survey)
    with pytest.raises(services.SurveyError, match="cost-cutting: 6 is not a level"):
        answer(wave, tokens[0], **{"cost-cutting": 6})
    with pytest.raises(services.SurveyError, match="service: 'x' is not one of the choices"):
        answer(wave, tokens[0], service="x")
    assert not Response.objects.exists()


def test_a_wave_without_an_open_link_needs_a_token(survey) -> None:
    wave, _ = open_wave(survey)
    with pytest.raises(services.TokenInvalid):
        answer(wave, None, **{"cost-cutting": 3})


def test_a_new_wave_copies_the_previous_and_marks_changed_items(survey) -> None:
    first, _ = open_wave(survey)
    second, _ = open_wave(survey)
    assert second.number == 2 and second.previous == first
    changed = second.items.get(code="cost-cutting")
    assert changed.comparable_to == first.items.get(code="cost-cutting")
    services.item_update(item=changed, text_nb="Samorganisering sparer penger.")
    changed.refresh_from_db()
    assert not changed.comparable
    assert second.items.get(code="library-reputation").comparable


def test_results_suppress_small_groups_and_their_complement(survey) -> None:
    wave, tokens = open_wave(survey, tokens=30)
    site_a, site_c = [c["code"] for c in wave.items.get(code="site").choices]
    # Site A: 12 respondents; site C: 3; 2 do not say. Total 17.
    for i in range(12):
        answer(wave, tokens[i], site=site_a, **{"cost-cutting": 4 if i < 8 else 2})
    for i in range(12, 15):
        answer(wave, tokens[i], site=site_c, **{"cost-cutting": 1})
    for i in range(15, 17):
        answer(wave, tokens[i], **{"cost-cutting": 5})
    group_by = wave.items.get(code="site")
    results = wave_results(wave, group_by=group_by)
    statement = next(s for s in results.statements if s.item.code == "cost-cutting")
    assert statement.overall.answered == 17 and not statement.overall.hidden
    assert statement.overall.agree is not None and statement.overall.agree.count == 10
    shown = {g.key: g for g in statement.groups}
    assert shown[site_c].hidden and shown[site_c].summary is None
    # 17 - 12 = 5 would be "site C + not stated": both hidden (3 + 2 = 5 >= 5), site A shown.
    assert shown[""].hidden
    assert not shown[site_a].hidden
    agree_a = shown[site_a].agree
    assert agree_a is not None and agree_a.count == 8


def test_results_of_a_small_wave_are_hidden_and_free_text_needs_a_higher_threshold(
    survey,
) -> None:
    wave, tokens = open_wave(survey)
    for i in range(4):
        answer(wave, tokens[i], comment=f"comment {i}", **{"cost-cutting": 3})
    statement = next(s for s in wave_results(wave).statements if s.item.code == "cost-cutting")
    assert statement.overall.hidden and statement.overall.summary is None
    assert free_texts(wave) is None
    for i in range(4, 10):
        answer(wave, tokens[i], comment=f"comment {i}")
    assert free_texts(wave) == sorted(f"comment {i}" for i in range(10))


def test_the_previous_wave_is_compared_only_for_comparable_items(survey) -> None:
    first, tokens1 = open_wave(survey)
    for i in range(10):
        answer(first, tokens1[i], **{"cost-cutting": 5 if i < 2 else 1})
    second, tokens2 = open_wave(survey)
    services.item_update(
        item=second.items.get(code="library-reputation"), text_en="Changed statement."
    )
    for i in range(10):
        answer(second, tokens2[i], **{"cost-cutting": 5 if i < 8 else 1, "library-reputation": 2})
    by_code = {s.item.code: s for s in wave_results(second).statements}
    cost = by_code["cost-cutting"]
    assert cost.previous_agree is not None and cost.previous_agree.count == 2
    assert cost.change_test is not None and cost.change_test.difference == pytest.approx(0.6)
    assert by_code["library-reputation"].previous_agree is None


def test_free_text_items_exist_in_both_templates() -> None:
    from torg.surveys.templates_builtin import TEMPLATES

    for template in TEMPLATES.values():
        kinds = {item.kind for section in template.sections for item in section.items}
        assert ItemKind.FREE_TEXT in kinds and ItemKind.LIKERT in kinds
    citizen = {item.kind for section in TEMPLATES["citizen"].sections for item in section.items}
    assert {ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE, ItemKind.BACKGROUND} <= citizen


def test_results_by_organisational_model_use_the_sites_model_on_the_first_day(survey) -> None:
    from torg.organisation.models import OrganisationalModel, Site, SiteModelPeriod

    municipality = survey.municipality
    site_a, site_c = Site.objects.filter(municipality=municipality).order_by("name")
    SiteModelPeriod.objects.create(
        municipality=municipality, site=site_a, model=OrganisationalModel.TOTAL,
        valid_from=dt.date(2020, 1, 1),
    )  # fmt: skip
    SiteModelPeriod.objects.create(
        municipality=municipality, site=site_c, model=OrganisationalModel.ONE_DOOR_IN,
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2022, 11, 30),
    )  # fmt: skip
    SiteModelPeriod.objects.create(
        municipality=municipality, site=site_c, model=OrganisationalModel.HYBRID,
        valid_from=dt.date(2022, 12, 1),
    )  # fmt: skip
    wave, tokens = open_wave(survey, tokens=20)
    for i in range(14):
        site = site_a if i < 8 else site_c
        answer(wave, tokens[i], site=str(site.pk), **{"cost-cutting": 5 if i % 2 else 1})
    results = wave_results(wave, by_model=True)
    assert results.group_code == "model"
    statement = next(s for s in results.statements if s.item.code == "cost-cutting")
    groups = {g.key: g for g in statement.groups}
    assert groups["total"].answered == 8 and not groups["total"].hidden
    assert groups["hybrid"].answered == 6 and not groups["hybrid"].hidden
    assert groups["one_door_in"].answered == 0
    assert groups["total"].agree is not None and groups["total"].agree.count == 4


def test_agreeing_can_count_only_the_highest_level(municipality_x, site_a) -> None:
    strict = services.survey_create_from_template(
        municipality=municipality_x, template_key="citizen", agree_levels=1
    )
    wave, tokens = open_wave(strict, tokens=6)
    for i, level in enumerate([5, 5, 4, 4, 4, 1]):
        answer(wave, tokens[i], **{"roles-clear": level})
    statement = next(s for s in wave_results(wave).statements if s.item.code == "roles-clear")
    assert statement.overall.agree is not None
    assert (statement.overall.agree.count, statement.overall.agree.n) == (2, 6)
    with pytest.raises(services.SurveyError, match="1, 2 or 3"):
        services.survey_create_from_template(
            municipality=municipality_x, template_key="citizen", agree_levels=4
        )
