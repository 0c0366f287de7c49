"""Parameters a client should never send, and the answers it must get anyway: 4xx in
JSON, never a 500 and never an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.test.utils import override_settings

from torg.catalogue.models import ServiceCategory
from torg.testing.factories import make_user

SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no
HUGE = "99999999999999999999"  # overflows a 64-bit integer
JUST_TOO_BIG = "9223372036854775808"


@pytest.fixture
def api(municipality_x, analyst_x):
    client = Client(raise_request_exception=False)
    client.force_login(analyst_x)
    return client


@pytest.mark.parametrize(
    "query",
    [
        f"services/?category={SUPERSCRIPT_TWO}",
        f"services/?category={HUGE}",
        f"services/?category={JUST_TOO_BIG}",
        "services/?category=abc",
        "services/?category=-1",
        "services/?domain=x",
        "services/?level=x",
        f"inquiries/?service={SUPERSCRIPT_TWO}",
        f"inquiries/?site={SUPERSCRIPT_TWO}",
        f"inquiries/?site={HUGE}",
        f"visit-counts/?site={SUPERSCRIPT_TWO}",
        f"events/?site={SUPERSCRIPT_TWO}",
    ],
)
def test_a_bad_filter_is_a_400_in_json(api, municipality_x, query) -> None:
    response = api.get(f"/api/v1/m/{municipality_x.slug}/{query}")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("year", [SUPERSCRIPT_TWO, HUGE, "abc"])
def test_a_bad_year_of_the_national_statistics_is_a_400_in_json(api, year) -> None:
    response = api.get(f"/api/v1/national/annual-statistics/?year={year}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path", ["inquiries/abc/", "inquiries/-1/", f"inquiries/{HUGE}/", "nosuch/"]
)
def test_an_unknown_api_path_is_a_404_in_json(api, municipality_x, path) -> None:
    response = api.get(f"/api/v1/m/{municipality_x.slug}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."} or "detail" in response.json()


def test_a_category_filter_lists_the_services_of_that_category(api, municipality_x) -> None:
    category = ServiceCategory.objects.create(
        municipality=municipality_x, code="c", name_nb="K", name_en="C"
    )
    response = api.get(f"/api/v1/m/{municipality_x.slug}/services/?category={category.pk}")
    assert response.status_code == 200


def test_another_municipalitys_category_is_refused(api, municipality_x, municipality_y) -> None:
    theirs = ServiceCategory.objects.create(
        municipality=municipality_y, code="c", name_nb="K", name_en="C"
    )
    response = api.get(f"/api/v1/m/{municipality_x.slug}/services/?category={theirs.pk}")
    assert response.status_code == 400


@override_settings(DEBUG=False)
def test_a_page_that_does_not_exist_is_torgs_own_page_outside_the_api(
    municipality_x, client_for
) -> None:
    response = client_for(make_user("someone", municipality_x)).get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("year", [SUPERSCRIPT_TWO, HUGE, "1900", "%00"])
@pytest.mark.parametrize("municipality", ["3005", "%00", SUPERSCRIPT_TWO])
def test_the_national_page_survives_odd_parameters(api, year, municipality) -> None:
    response = api.get(f"/national/?year={year}&municipality={municipality}")
    assert response.status_code == 200
    assert b"\x00" not in response.content
