"""The survey pages: the public form (accessible markup, double submit, save and resume) and
the management pages (who may use them, invitation codes, results with small groups hidden)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from torg.surveys import services
from torg.surveys.models import InvitationToken, Response, Survey, Wave
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def survey(municipality_x, site_a) -> Survey:
    make_site(municipality_x, "Torget C")
    return services.survey_create_from_template(
        municipality=municipality_x, template_key="employee-co-organisation"
    )


@pytest.fixture
def wave_and_tokens(survey) -> tuple[Wave, list[str]]:
    return services.wave_open(
        survey=survey,
        starts_on=dt.date(2022, 12, 1),
        ends_on=dt.date(2023, 1, 31),
        anonymous=True,
        token_count=12,
    )


def token_url(wave: Wave, token: str) -> str:
    return reverse("surveys_public:answer_token", args=[wave.public_id, token])


def submission_key(html: str) -> str:
    match = re.search(r'name="submission_key" value="([0-9a-f-]+)"', html)
    assert match, "the form has no submission key"
    return match.group(1)


def test_the_form_has_a_fieldset_and_legend_per_scale_and_labels_per_option(wave_and_tokens):
    wave, tokens = wave_and_tokens
    html = Client().get(token_url(wave, tokens[0]), headers=ENGLISH).content.decode()
    # Six statements, four background questions: the fifth, the municipality, has one
    # choice and is not asked (test_a_single_choice_background_question_is_recorded_unasked).
    assert html.count("<fieldset") >= 6 + 4
    assert html.count("<legend>") == html.count("<fieldset")
    assert "The library&#x27;s independent role is challenged by co-organisation." in html
    for input_id in re.findall(r'<input type="radio" name="[^"]+" id="([^"]+)"', html):
        assert f'<label for="{input_id}">' in html
    assert '<textarea name="item-comment" id="id_item-comment"' in html
    assert '<label for="id_item-comment">' in html
    assert 'name="viewport" content="width=device-width' in html


def test_an_error_is_tied_to_its_field(wave_and_tokens):
    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[0])).content.decode())
    response = client.post(
        token_url(wave, tokens[0]),
        {"submission_key": key, "item-cost-cutting": "9", "action": "submit"},
        headers=ENGLISH,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_item-cost-cutting-error"' in html
    assert 'aria-describedby="id_item-cost-cutting-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_item-cost-cutting_0"' in html  # the error summary links to the field
    assert not Response.objects.exists()


def test_a_double_submit_stores_one_response(wave_and_tokens):
    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[0])).content.decode())
    data = {"submission_key": key, "item-cost-cutting": "4", "action": "submit"}
    first = client.post(token_url(wave, tokens[0]), data)
    second = client.post(token_url(wave, tokens[0]), data)
    thanks = reverse("surveys_public:thanks", args=[wave.public_id])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == thanks
    assert Response.objects.filter(wave=wave).count() == 1
    # The used link cannot be opened again.
    assert client.get(token_url(wave, tokens[0])).status_code == 410


def test_answers_can_be_saved_and_resumed_with_the_token(wave_and_tokens):
    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[1])).content.decode())
    saved = client.post(
        token_url(wave, tokens[1]),
        {"submission_key": key, "item-library-reputation": "2", "action": "save"},
    )
    assert saved.status_code == 200
    assert not Response.objects.exists()
    html = Client().get(token_url(wave, tokens[1])).content.decode()
    assert re.search(r'name="item-library-reputation" id="[^"]+" value="2" checked', html)


def test_an_unknown_token_or_a_wave_without_open_link_gets_no_form(wave_and_tokens):
    wave, _ = wave_and_tokens
    assert Client().get(token_url(wave, "not-a-token")).status_code == 404
    page = Client().get(reverse("surveys_public:answer", args=[wave.public_id]))
    assert page.status_code == 200 and 'name="token"' in page.content.decode()


def test_a_respondent_leaves_no_cookie_session_behind(wave_and_tokens):
    from django.contrib.sessions.models import Session

    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[2])).content.decode())
    client.post(token_url(wave, tokens[2]), {"submission_key": key, "action": "submit"})
    assert not Session.objects.exists()


@pytest.mark.parametrize("name", ["surveys:list", "surveys:create"])
def test_an_outsider_gets_404_for_the_management_pages(
    name, municipality_x, outsider_y, client_for
):
    response = client_for(outsider_y).get(reverse(name, args=[municipality_x.slug]))
    assert response.status_code == 404


def test_an_outsider_gets_404_for_the_results_and_wave_pages(
    wave_and_tokens, municipality_x, outsider_y, client_for
):
    wave, _ = wave_and_tokens
    client = client_for(outsider_y)
    results = reverse("surveys:results", args=[municipality_x.slug, wave.pk])
    opening = reverse("surveys:wave_open", args=[municipality_x.slug, wave.survey_id])
    assert client.get(results).status_code == 404
    assert client.get(opening).status_code == 404
    # Even under the outsider's own municipality the wave of X does not exist.
    own = reverse("surveys:results", args=[outsider_y.memberships.get().municipality.slug, wave.pk])
    assert client.get(own).status_code == 404


def test_desk_staff_cannot_see_results_and_analysts_cannot_open_waves(
    wave_and_tokens, municipality_x, desk_worker_x, analyst_x, client_for
):
    wave, _ = wave_and_tokens
    services.wave_set_status(wave=wave, status="closed")  # results come when it closes
    results = reverse("surveys:results", args=[municipality_x.slug, wave.pk])
    assert client_for(desk_worker_x).get(results).status_code == 403
    assert client_for(analyst_x).get(results).status_code == 200
    opening = reverse("surveys:wave_open", args=[municipality_x.slug, wave.survey_id])
    assert client_for(analyst_x).get(opening).status_code == 403


def test_a_manager_creates_a_survey_and_opens_a_wave_with_codes_as_csv(
    municipality_x, manager_x, client_for
):
    client = client_for(manager_x)
    created = client.post(
        reverse("surveys:create", args=[municipality_x.slug]),
        {
            "template_key": "citizen",
            "min_group": "5",
            "free_text_min_group": "10",
            "agree_levels": "2",
        },
    )
    assert created.status_code == 302
    survey = Survey.objects.get(municipality=municipality_x)
    download = client.post(
        reverse("surveys:wave_open", args=[municipality_x.slug, survey.pk]),
        {
            "starts_on": "2023-03-01",
            "ends_on": "2023-04-30",
            "anonymous": "on",
            "open_link": "on",
            "token_count": "3",
            "format": "csv",
        },
    )
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    page = client.post(
        reverse("surveys:wave_open", args=[municipality_x.slug, survey.pk]),
        {"starts_on": "2024-03-01", "ends_on": "2024-04-30", "open_link": "on", "token_count": "0"},
    )
    html = page.content.decode()
    second = Wave.objects.get(survey=survey, number=2)
    assert '<svg role="img"' in html and f"/s/{second.public_id}/" in html
    assert not second.anonymous  # the box was not ticked: anonymity is what the form said
    lines = download.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 4
    wave = Wave.objects.get(survey=survey, number=1)
    token = lines[1].split(",")[0]
    assert InvitationToken.objects.filter(wave=wave, used=False).count() == 3
    assert services.token_find(wave=wave, raw=token) is not None


def test_a_minimum_below_three_is_refused(municipality_x, manager_x, client_for):
    response = client_for(manager_x).post(
        reverse("surveys:create", args=[municipality_x.slug]),
        {
            "template_key": "citizen",
            "min_group": "2",
            "free_text_min_group": "10",
            "agree_levels": "2",
        },
    )
    assert response.status_code == 400
    assert not Survey.objects.exists()


def test_results_hide_small_groups_and_free_text_is_for_analysts(
    wave_and_tokens, municipality_x, manager_x, analyst_x, client_for
):
    wave, tokens = wave_and_tokens
    site_codes = [c["code"] for c in wave.own_items().get(code="site").choices]
    for i in range(12):
        site = site_codes[0] if i < 9 else site_codes[1]
        services.response_submit(
            wave=wave,
            answers={"site": site, "cost-cutting": 4, "comment": f"text {i}"},
            submission_key=__import__("uuid").uuid4(),
            token=tokens[i],
        )
    services.wave_set_status(wave=wave, status="closed")  # results come when it closes
    url = reverse("surveys:results", args=[municipality_x.slug, wave.pk])
    manager_page = client_for(manager_x).get(url, {"group_by": "site"}, headers=ENGLISH)
    html = manager_page.content.decode()
    assert manager_page.status_code == 200
    assert "hidden (too few answers)" in html
    assert "text 3" not in html
    analyst_html = client_for(analyst_x).get(url, headers=ENGLISH).content.decode()
    assert "text 3" in analyst_html
    assert 'id="likert-table"' in analyst_html  # the table alternative of the chart


def test_the_questions_can_be_read_in_nynorsk_and_english(wave_and_tokens):
    wave, tokens = wave_and_tokens
    nynorsk = Client().get(token_url(wave, tokens[3]), {"lang": "nn"}).content.decode()
    assert "Omdømet til biblioteket vil bli svekt." in nynorsk
    assert "Heilt ueinig" in nynorsk and "Veit ikkje" in nynorsk
    assert '<section class="survey-section" lang="nn"' in nynorsk
    assert 'action="?lang=nn"' in nynorsk
    english = Client().get(token_url(wave, tokens[3]), {"lang": "en"}).content.decode()
    assert "The library&#x27;s reputation will suffer." in english
    bokmal = Client().get(token_url(wave, tokens[3])).content.decode()
    assert "Bibliotekets omdømme vil svekkes." in bokmal


def test_a_manager_cannot_turn_anonymity_off_after_the_first_response(
    wave_and_tokens, municipality_x, manager_x, outsider_y, client_for
):
    wave, tokens = wave_and_tokens
    url = reverse("surveys:wave_settings", args=[municipality_x.slug, wave.pk])
    client = client_for(manager_x)
    assert client.post(url, {"status": "open"}).status_code == 302  # anonymity off: allowed
    wave.refresh_from_db()
    assert not wave.anonymous
    assert client.post(url, {"anonymous": "on", "status": "open"}).status_code == 302
    services.response_submit(
        wave=wave, answers={}, submission_key=__import__("uuid").uuid4(), token=tokens[5]
    )
    refused = client.post(url, {"status": "open"}, headers=ENGLISH)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Anonymity is fixed once the wave has a response" in html
    assert 'id="id_anonymous_error"' in html
    assert 'aria-describedby="id_anonymous_helptext id_anonymous_error"' in html
    wave.refresh_from_db()
    assert wave.anonymous
    assert client_for(outsider_y).get(url).status_code == 404


def test_a_closed_wave_takes_no_answers(wave_and_tokens, municipality_x, manager_x, client_for):
    wave, tokens = wave_and_tokens
    url = reverse("surveys:wave_settings", args=[municipality_x.slug, wave.pk])
    assert (
        client_for(manager_x).post(url, {"anonymous": "on", "status": "closed"}).status_code == 302
    )
    assert Client().get(token_url(wave, tokens[6])).status_code == 410


def test_the_results_compare_with_the_previous_wave_in_a_chart_and_a_table(
    survey, municipality_x, analyst_x, client_for
):
    import json
    import uuid

    waves = []
    for number, agreeing in ((1, 3), (2, 9)):
        wave, tokens = services.wave_open(
            survey=survey,
            starts_on=dt.date(2021 + number, 3, 1),
            ends_on=dt.date(2021 + number, 4, 30),
            anonymous=True,
            token_count=10,
        )
        for i in range(10):
            services.response_submit(
                wave=wave,
                answers={"cost-cutting": 5 if i < agreeing else 1},
                submission_key=uuid.uuid4(),
                token=tokens[i],
            )
        waves.append(wave)
    services.wave_set_status(wave=waves[1], status="closed")  # results come when it closes
    url = reverse("surveys:results", args=[municipality_x.slug, waves[1].pk])
    html = client_for(analyst_x).get(url, headers=ENGLISH).content.decode()
    assert 'id="waves-table"' in html
    assert 'data-chart-download="waves"' in html and "surveys/chart-download" in html
    found = re.search(r'id="waves-spec"[^>]*>(.*?)</script>', html, re.S)
    assert found, "the chart's spec is in the page"
    spec = json.loads(found.group(1))
    shares = sorted(v["share"] for v in spec["data"]["values"])
    assert shares == [30.0, 90.0]


def test_results_can_be_grouped_by_organisational_model(
    wave_and_tokens, municipality_x, analyst_x, client_for
):
    wave, _ = wave_and_tokens
    services.wave_set_status(wave=wave, status="closed")  # results come when it closes
    url = reverse("surveys:results", args=[municipality_x.slug, wave.pk])
    page = client_for(analyst_x).get(url, {"group_by": "model"}, headers=ENGLISH)
    assert page.status_code == 200
    assert "By Organisational model" in page.content.decode()
    assert client_for(analyst_x).get(url, {"group_by": "nonsense"}).status_code == 400


def test_a_manager_edits_a_copied_question_which_is_then_not_comparable(
    survey, municipality_x, manager_x, outsider_y, client_for
):
    import uuid

    first, _ = services.wave_open(
        survey=survey, starts_on=dt.date(2022, 3, 1), ends_on=dt.date(2022, 4, 1),
        anonymous=True, token_count=1,
    )  # fmt: skip
    second, tokens = services.wave_open(
        survey=survey, starts_on=dt.date(2023, 3, 1), ends_on=dt.date(2023, 4, 1),
        anonymous=True, token_count=1,
    )  # fmt: skip
    item = second.own_items().get(code="cost-cutting")
    url = reverse("surveys:item_edit", args=[municipality_x.slug, second.pk, item.pk])
    client = client_for(manager_x)
    data = {"text_nb": "Samorganisering sparer penger.", "text_nn": item.text_nn,
            "text_en": item.text_en, "allows_dont_know": "on"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.text_nb == "Samorganisering sparer penger." and not item.comparable
    other = first.own_items().get(code="cost-cutting")
    wrong_wave = reverse("surveys:item_edit", args=[municipality_x.slug, second.pk, other.pk])
    assert client.get(wrong_wave).status_code == 404
    assert client_for(outsider_y).get(url).status_code == 404
    services.response_submit(wave=second, answers={}, submission_key=uuid.uuid4(), token=tokens[0])
    assert client.post(url, data).status_code == 409


def test_free_text_is_cleaned_of_personal_data_before_it_is_stored(wave_and_tokens):
    # Found by the project-leader trial: a comment kept a phone number and an e-mail address.
    from torg.surveys.models import Answer, Item

    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[6])).content.decode())
    comment = "Ring meg på 912 34 567, eller skriv til kari@example.no. Ellers fint!"
    text_item = Item.objects.get(section__wave=wave, kind="free_text")
    posted = client.post(
        token_url(wave, tokens[6]),
        {"submission_key": key, f"item-{text_item.code}": comment, "action": "submit"},
    )
    assert posted.status_code == 302
    stored = Answer.objects.get(item=text_item).text
    assert "912 34 567" not in stored and "kari@example.no" not in stored
    assert stored.endswith("Ellers fint!")


def test_an_unknown_action_stores_nothing_and_keeps_the_code(wave_and_tokens):
    wave, tokens = wave_and_tokens
    client = Client()
    key = submission_key(client.get(token_url(wave, tokens[7])).content.decode())
    refused = client.post(token_url(wave, tokens[7]), {"submission_key": key, "action": "evil"})
    assert refused.status_code == 400
    assert not Response.objects.filter(wave=wave).exists()
    assert client.get(token_url(wave, tokens[7])).status_code == 200


def test_the_settings_offer_no_way_back_to_draft(
    wave_and_tokens, municipality_x, manager_x, client_for
):
    wave, _tokens = wave_and_tokens
    url = reverse("surveys:wave_settings", args=[municipality_x.slug, wave.pk])
    response = client_for(manager_x).post(url, {"anonymous": "on", "status": "draft"})
    assert response.status_code == 400  # a form error, not a server error
    wave.refresh_from_db()
    assert wave.status == "open"


def test_a_reloaded_or_twice_sent_wave_form_opens_one_wave(
    survey, municipality_x, manager_x, client_for
):
    # Found by the project-leader trial: reloading the page with the codes opened a second
    # wave, and the first wave's codes were never seen.
    client = client_for(manager_x)
    url = reverse("surveys:wave_open", args=[municipality_x.slug, survey.pk])
    form_page = client.get(url).content.decode()
    key = re.search(r'name="client_key" value="([0-9a-f-]+)"', form_page)
    assert key, "the form carries a key"
    data = {
        "client_key": key.group(1),
        "starts_on": "2023-03-01",
        "ends_on": "2023-04-30",
        "anonymous": "on",
        "token_count": "3",
        "format": "page",
    }
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == 200 and again.status_code == 302
    assert Wave.objects.filter(survey=survey).count() == 1
    assert InvitationToken.objects.filter(wave__survey=survey).count() == 3


def _statement_order(html: str) -> list[str]:
    codes = re.findall(r'name="item-([a-z-]+)" id="id_item-[a-z-]+_0"', html)
    return [c for c in codes if c not in ("site", "service", "role", "co_location")]


def test_the_order_of_statements_stays_after_an_error_and_on_resume(wave_and_tokens):
    wave, tokens = wave_and_tokens
    client = Client()
    url = token_url(wave, tokens[0])
    first = client.get(url).content.decode()
    order = _statement_order(first)
    assert len(order) == 6
    invalid = {"submission_key": submission_key(first), "item-cost-cutting": "9"}
    again = client.post(url, invalid)
    assert again.status_code == 400
    assert _statement_order(again.content.decode()) == order
    # Save, then open the link again later: a new page, the same order for this respondent.
    client.post(url, {"submission_key": submission_key(first), "action": "save"})
    resumed = Client().get(url).content.decode()
    assert submission_key(resumed) != submission_key(first)
    assert _statement_order(resumed) == order
    # Another respondent gets their own order (the 11 other codes cannot all share it).
    others = {
        tuple(_statement_order(Client().get(token_url(wave, t)).content.decode()))
        for t in tokens[1:]
    }
    assert len(others | {tuple(order)}) > 1


def test_the_page_speaks_the_language_chosen_for_the_questions(wave_and_tokens):
    wave, tokens = wave_and_tokens
    norwegian_browser = {"Accept-Language": "nb"}
    english = Client().get(token_url(wave, tokens[0]), {"lang": "en"}, headers=norwegian_browser)
    html = english.content.decode()
    assert "Send my answers" in html and "Every question is optional." in html
    assert "Send svarene mine" not in html
    bokmal = Client().get(token_url(wave, tokens[0]), {"lang": "nb"}, headers=ENGLISH)
    html = bokmal.content.decode()
    assert "Send svarene mine" in html and "Send my answers" not in html
    nynorsk = Client().get(token_url(wave, tokens[0]), {"lang": "nn"}, headers=ENGLISH)
    assert "Send svarene mine" in nynorsk.content.decode()  # no nynorsk interface: bokmål
    # The thanks page keeps the language.
    page = Client().get(token_url(wave, tokens[1]), {"lang": "en"}, headers=norwegian_browser)
    sent = Client().post(
        f"{token_url(wave, tokens[1])}?lang=en",
        {"submission_key": submission_key(page.content.decode()), "item-cost-cutting": "4"},
        headers=norwegian_browser,
    )
    assert sent.status_code == 302 and sent["Location"].endswith("?lang=en")


def test_a_single_choice_background_question_is_recorded_unasked(wave_and_tokens, municipality_x):
    from torg.surveys.models import Answer

    wave, tokens = wave_and_tokens
    page = Client().get(token_url(wave, tokens[0]), headers=ENGLISH).content.decode()
    assert 'name="item-municipality"' not in page
    assert 'name="item-site"' in page  # two sites: asked
    Client().post(
        token_url(wave, tokens[0]),
        {"submission_key": submission_key(page), "item-cost-cutting": "4"},
    )
    assert Answer.objects.get(item__code="municipality").choice == municipality_x.slug


def test_the_anonymity_box_is_disabled_with_the_reason_once_there_are_responses(
    wave_and_tokens, municipality_x, manager_x, client_for
):
    wave, tokens = wave_and_tokens
    url = reverse("surveys:wave_settings", args=[municipality_x.slug, wave.pk])
    client = client_for(manager_x)
    before = client.get(url, headers=ENGLISH).content.decode()
    assert not re.search(r'<input type="checkbox" name="anonymous"[^>]*disabled', before)
    services.response_submit(
        wave=wave, answers={}, submission_key=__import__("uuid").uuid4(), token=tokens[0]
    )
    after = client.get(url, headers=ENGLISH).content.decode()
    assert re.search(r'<input type="checkbox" name="anonymous"[^>]*disabled', after)
    assert "Fixed: the wave has responses" in after
    assert '<input type="hidden" name="anonymous" value="on">' in after
    # What the browser sends with the box disabled (the hidden value) closes the wave.
    assert client.post(url, {"anonymous": "on", "status": "closed"}).status_code == 302
    wave.refresh_from_db()
    assert wave.status == "closed" and wave.anonymous


def test_invitation_codes_have_no_look_alike_letters_and_are_typed_forgivingly(wave_and_tokens):
    wave, tokens = wave_and_tokens
    for token in tokens:
        assert re.fullmatch(r"([2-9A-HJKMNP-Z]{4}-){4}[2-9A-HJKMNP-Z]{4}", token), token
        assert not set(token) & set("01OIL")
    typed = tokens[0].lower().replace("-", " ")
    assert services.token_find(wave=wave, raw=typed) is not None
    page = Client().post(reverse("surveys_public:answer", args=[wave.public_id]), {"token": typed})
    assert page.status_code == 302
