"""The model guide's self-assessment for three contrasting (invented) municipalities, and
the page that shows it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from torg.evaluation.guide import (
    Answers,
    Involvement,
    Level,
    Motive,
    Verdict,
    assess,
)

#: Fjordby: a small town whose library and service centre can move into one new culture
#: house; cross-trained staff; wants reach and better service; staff involved.
FJORDBY = Answers(
    distance_km=0.0,
    shared_building=True,
    staff=14,
    cross_trained=Level.MEDIUM,
    digital=Level.MEDIUM,
    motives=frozenset({Motive.SERVICE, Motive.REACH}),
    involvement=Involvement.INVOLVED,
)
#: Vidde: a spread-out municipality, services 40 km apart, no shared building, staff only
#: informed, service as motive.
VIDDE = Answers(
    distance_km=40.0,
    shared_building=False,
    staff=9,
    cross_trained=Level.LOW,
    digital=Level.MEDIUM,
    motives=frozenset({Motive.SERVICE}),
    involvement=Involvement.INFORMED,
)
#: Sparvik: wants to close the service centre to save money; mature digital channels, few
#: staff, nobody involved yet.
SPARVIK = Answers(
    distance_km=3.0,
    shared_building=False,
    staff=4,
    cross_trained=Level.LOW,
    digital=Level.HIGH,
    motives=frozenset({Motive.SAVINGS}),
    involvement=Involvement.NONE,
)


def test_a_town_with_a_shared_building_and_involved_staff_fits_total_cooperation():
    result = assess(FJORDBY)
    total = result.fit("total")
    assert total.verdict is Verdict.FITS
    assert any("20 %" in reason for reason in total.reasons_for)
    assert result.fit("one_door_in").verdict is Verdict.FITS
    assert result.fit("pac_man").verdict is Verdict.DOES_NOT_FIT
    assert result.fit("pac_man").warning  # always warned
    assert result.general_risks == ()


def test_a_spread_out_municipality_fits_hybrid_not_a_shared_desk():
    result = assess(VIDDE)
    assert result.fit("total").verdict is Verdict.DOES_NOT_FIT
    assert result.fit("one_door_in").verdict is Verdict.DOES_NOT_FIT
    hybrid = result.fit("hybrid")
    assert hybrid.verdict is Verdict.FITS_WITH_CONDITIONS
    assert any("far apart" in reason for reason in hybrid.reasons_against)
    assert any("Drammen" in reason for reason in hybrid.reasons_against)


def test_savings_alone_gets_the_strong_pac_man_warning_with_reasons():
    result = assess(SPARVIK)
    pac_man = result.fit("pac_man")
    assert pac_man.verdict is Verdict.DOES_NOT_FIT
    assert pac_man.warning.startswith("Strong warning")
    assert pac_man.reasons_for  # the mature digital channels are acknowledged
    assert pac_man.reasons_against
    assert len(result.general_risks) == 2  # no involvement; savings motive


def test_every_model_comes_with_reasons_never_a_bare_verdict():
    for answers in (FJORDBY, VIDDE, SPARVIK):
        for fit in assess(answers).fits:
            assert fit.reasons_for or fit.reasons_against
            assert fit.risks


@pytest.mark.django_db
def test_the_guide_page_shows_the_assessment_and_the_checklist(
    client_for, desk_worker_x, municipality_x
):
    client = client_for(desk_worker_x)
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("evaluation:guide", args=[municipality_x.slug]),
        {
            "distance_km": "3",
            "staff": "4",
            "cross_trained": "low",
            "digital": "high",
            "motives": ["savings"],
            "involvement": "none",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="fit-pac_man"' in html and "Strong warning" in html
    assert "Job shadowing" in html and 'id="checklist"' in html


@pytest.mark.django_db
def test_the_guide_page_refuses_a_negative_distance(client_for, desk_worker_x, municipality_x):
    response = client_for(desk_worker_x).get(
        reverse("evaluation:guide", args=[municipality_x.slug]),
        {
            "distance_km": "-1",
            "staff": "4",
            "cross_trained": "low",
            "digital": "high",
            "motives": ["savings"],
            "involvement": "none",
        },
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_manager_tracks_the_checklist_and_it_stays_in_her_municipality(
    client_for, manager_x, analyst_x, outsider_y, municipality_x
):
    from torg.evaluation.models import MethodChecklistItem

    url = reverse("evaluation:checklist", args=[municipality_x.slug])
    data = {
        f"status_{m}": "not_started"
        for m in ("job_shadowing", "substitutes", "harmonised_hours", "culture", "time_set_aside")
    }
    data |= {"status_job_shadowing": "done", "note_job_shadowing": "Alle har hospitert en uke"}
    assert client_for(analyst_x).post(url, data).status_code == 403
    assert client_for(outsider_y).get(url).status_code == 404
    response = client_for(manager_x).post(url, data)
    assert response.status_code == 302
    row = MethodChecklistItem.objects.get(method="job_shadowing")
    assert (row.municipality, row.status, row.note) == (
        municipality_x,
        "done",
        "Alle har hospitert en uke",
    )
    assert MethodChecklistItem.objects.count() == 5
    page = client_for(analyst_x).get(reverse("evaluation:guide", args=[municipality_x.slug]))
    assert "Alle har hospitert en uke" in page.content.decode()
    data["status_culture"] = "finished"  # not a status
    assert client_for(manager_x).post(url, data).status_code == 400
