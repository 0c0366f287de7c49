"""The lower limit of "Record late" at the desk page (``TORG_INQUIRY_LATE_DAYS``, issue 3):
the dates of the desk worker's trial are refused with an error tied to the time field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from torg.inquiries.models import Inquiry
from torg.inquiries.tests.desk_world import Desk, make_desk
from torg.inquiries.tests.test_desk import ENGLISH, desk_url, entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(site_a) -> Desk:
    return make_desk(site_a)


@pytest.mark.parametrize("local", ["1999-01-01T10:00", "1900-01-01T10:00"])
def test_the_desk_refuses_an_inquiry_recorded_late_beyond_the_limit(
    desk, desk_worker_x, client_for, local
):
    response = client_for(desk_worker_x).post(
        desk_url(desk), entry(desk, when="late", occurred_at=local), **ENGLISH
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "An inquiry can be recorded at most 31 days after it happened." in html
    assert 'href="#id_occurred_at"' in html and 'aria-invalid="true"' in html
    assert not Inquiry.objects.exists()


def test_the_desk_records_an_inquiry_recorded_late_within_the_limit(
    desk, desk_worker_x, client_for
):
    local = timezone.localtime(timezone.now(), desk.site.zone) - dt.timedelta(days=30)
    response = client_for(desk_worker_x).post(
        desk_url(desk),
        entry(desk, when="late", occurred_at=local.strftime("%Y-%m-%dT%H:%M")),
        **ENGLISH,
    )
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1
