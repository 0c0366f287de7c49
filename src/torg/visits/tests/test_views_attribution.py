"""The shared-entrance page: a manager sets a fixed share and attributes a week; the
figure is listed with its method; other roles may look but not change; outsiders get 404."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from torg.testing.factories import local
from torg.visits.models import AttributedVisits, CountMethod, VisitCount

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_a_manager_sets_a_fixed_share_and_attributes_a_week(manager_x, site_a, client_for):
    for offset, count in enumerate([100, 0, 300]):
        start = local(2024, 3, 4 + offset)
        VisitCount.objects.create(
            municipality=site_a.municipality,
            site=site_a,
            period_start=start,
            period_end=start + dt.timedelta(days=1),
            count=count,
            method=CountMethod.AUTOMATIC,
        )
    client = client_for(manager_x)
    page = reverse("visits:attribution", args=[site_a.municipality.slug])
    response = client.post(
        page,
        {
            "action": "set",
            "set-site": site_a.pk,
            "set-method": "fixed_share",
            "set-library_share": "0.7",
            "set-valid_from": "2024-01-01",
        },
        **ENGLISH,
    )
    assert response.status_code == 302
    response = client.post(
        page,
        {
            "action": "compute",
            "compute-site": site_a.pk,
            "compute-first_day": "2024-03-04",
            "compute-last_day": "2024-03-10",
        },
        **ENGLISH,
    )
    assert response.status_code == 302
    stored = AttributedVisits.objects.get()
    assert (stored.door_visits, stored.library_visits, stored.missing_periods) == (400, 280, 4)
    html = client.get(page, **ENGLISH).content.decode()
    assert "Fixed share set by the manager" in html and "none (fixed share)" in html


def test_a_compute_without_a_method_is_refused_with_the_reason(manager_x, site_a, client_for):
    response = client_for(manager_x).post(
        reverse("visits:attribution", args=[site_a.municipality.slug]),
        {
            "action": "compute",
            "compute-site": site_a.pk,
            "compute-first_day": "2024-03-04",
            "compute-last_day": "2024-03-10",
        },
        **ENGLISH,
    )
    assert response.status_code == 400
    assert "No attribution method is set" in response.content.decode()


def test_an_analyst_may_look_but_not_change_and_an_outsider_gets_404(
    analyst_x, outsider_y, site_a, client_for
):
    page = reverse("visits:attribution", args=[site_a.municipality.slug])
    analyst = client_for(analyst_x)
    assert analyst.get(page).status_code == 200
    assert analyst.post(page, {"action": "set"}).status_code == 403
    assert client_for(outsider_y).get(page).status_code == 404
