"""The imports history page ``/m/<slug>/imports/``: the municipality's own imports and the
shared imports that wrote rows into it, newest first, and nothing at all for an outsider."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from torg.imports.framework import run_import
from torg.imports.models import ImportBatch
from torg.organisation.models import Municipality, Role, SiteKind
from torg.testing.factories import make_municipality, make_site, make_user

pytestmark = pytest.mark.django_db


def batch(
    municipality: Municipality | None, file_name: str, minutes_ago: int, **counts: int
) -> ImportBatch:
    when = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return ImportBatch.objects.create(
        municipality=municipality,
        profile="visit-counts",
        file_name=file_name,
        file_sha256=file_name.ljust(64, "0")[:64],
        started_at=when,
        finished_at=when,
        **counts,
    )


@pytest.fixture
def history(municipality_x, municipality_y, site_a, manager_x, tmp_path: Path) -> None:
    path = tmp_path / "x-newest.csv"
    path.write_text(
        "site;period_start;period_end;count\n"
        "Torget A;2024-03-01 08:00;2024-03-01 09:00;1 204\n"
        "Torget A;2024-03-01 09:00;2024-03-01 10:00;7\n",
        encoding="utf-8",
    )
    batch(municipality_x, "x-oldest.csv", 120, rows_read=9, rows_created=9)
    batch(
        municipality_x,
        "x-middle.csv",
        60,
        rows_read=5,
        rows_updated=2,
        rows_unchanged=3,
        rows_skipped=1,
    )
    run_import("visit-counts", path, municipality="kommune-x", user=manager_x)
    batch(municipality_y, "y-secret.csv", 30, rows_read=4, rows_created=4)
    batch(None, "national-reference.csv", 10, rows_read=355, rows_created=355)


def url(municipality: Municipality) -> str:
    return reverse("imports:list", args=[municipality.slug])


def test_it_lists_the_municipalitys_own_imports_newest_first(
    history, municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(url(municipality_x))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(name) for name in ("x-newest.csv", "x-middle.csv", "x-oldest.csv")]
    assert positions == sorted(positions)
    assert "y-secret.csv" not in page
    assert "national-reference.csv" not in page
    assert [b.file_name for b in response.context["page"].object_list] == [
        "x-newest.csv",
        "x-middle.csv",
        "x-oldest.csv",
    ]


def test_each_row_shows_profile_counts_and_who_imported(
    history, municipality_x, manager_x, client_for
):
    page = client_for(manager_x).get(url(municipality_x)).content.decode()
    newest = page[page.index("x-newest.csv") : page.index("x-middle.csv")]
    assert "<code>visit-counts</code>" in newest
    assert "manager-x" in newest
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in newest.split('<td class="num"')[1:]]
    assert cells == ["2", "2", "0", "0", "0"]  # read, created, updated, unchanged, skipped
    middle = page[page.index("x-middle.csv") : page.index("x-oldest.csv")]
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in middle.split('<td class="num"')[1:]]
    assert cells == ["5", "0", "2", "3", "1"]


def test_the_page_is_marked_as_the_current_menu_item(
    history, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(url(municipality_x))
    assert response.context["nav"] == "imports"
    link = re.search(
        rf'<a [^>]*href="{re.escape(url(municipality_x))}"[^>]*>', response.content.decode()
    )
    assert link is not None
    assert 'aria-current="page"' in link.group(0)


def test_the_table_has_a_caption_and_column_and_row_headers(
    history, municipality_x, analyst_x, client_for
):
    page = client_for(analyst_x).get(url(municipality_x)).content.decode()
    assert "<caption>" in page
    assert page.count('<th scope="col"') == 9
    assert page.count('<th scope="row">') == 3
    assert page.count("<h1>") == 1


def test_an_outsider_gets_404_and_sees_nothing(history, municipality_x, outsider_y, client_for):
    response = client_for(outsider_y).get(url(municipality_x))
    assert response.status_code == 404
    assert b"x-newest.csv" not in response.content


def test_an_outsider_sees_only_their_own_municipalitys_imports(
    history, municipality_y, outsider_y, client_for
):
    page = client_for(outsider_y).get(url(municipality_y)).content.decode()
    assert "y-secret.csv" in page
    assert "x-newest.csv" not in page


def test_an_anonymous_visitor_is_sent_to_log_in(history, municipality_x, client):
    response = client.get(url(municipality_x))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_municipality_without_imports_says_so(municipality_x, desk_worker_x, client_for):
    response = client_for(desk_worker_x).get(url(municipality_x), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Nothing has been imported into this municipality yet." in response.content.decode()


# --- shared imports (routed profiles, stored with no municipality) ----------------------

ACE_VISITS = [
    "Authority,Location,Period,Count",
    "E09000003,Library,2023-04-01/P1M,1200",
    "E09000003,Library,2023-05-01/P1M,1300",
    "E09000001,Library,2023-04-01/P1M,90",
]


@pytest.fixture
def england(tmp_path: Path) -> dict[str, Municipality]:
    """Barnet and the City of London, each with its library buildings; and Hackney, which
    the file does not name. One shared import of ``england-ace-visits`` writes two rows
    into Barnet and one into the City; an import of Barnet's own follows."""
    found: dict[str, Municipality] = {}
    for slug, number in (
        ("gb-barnet", "E09000003"),
        ("gb-city-of-london", "E09000001"),
        ("gb-hackney", "E09000012"),
    ):
        found[slug] = make_municipality(slug, number=number, country="GB")
        make_site(
            found[slug],
            "Library buildings",
            code="library-buildings",
            kind=SiteKind.LIBRARY,
            time_zone="Europe/London",
        )
    operator = make_user("operator-city", found["gb-city-of-london"], Role.ADMINISTRATOR)
    visits = tmp_path / "visits.csv"
    visits.write_text("\n".join(ACE_VISITS) + "\n", encoding="utf-8")
    run_import("england-ace-visits", visits, user=operator)
    batch(found["gb-barnet"], "barnet-own.csv", -5, rows_read=1, rows_created=1)
    batch(found["gb-city-of-london"], "city-secret.csv", -5, rows_read=1, rows_created=1)
    return found


def test_a_shared_import_that_wrote_rows_here_is_listed_and_marked_shared(england, client_for):
    reader = make_user("reader-barnet", england["gb-barnet"], Role.DESK_STAFF)
    response = client_for(reader).get(url(england["gb-barnet"]), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    listed = response.context["page"].object_list
    assert [(b.file_name, b.is_shared) for b in listed] == [
        ("barnet-own.csv", False),
        ("visits.csv", True),
    ]
    shared = page[page.index("visits.csv") :]
    assert "Shared import" in shared
    assert "<code>england-ace-visits</code>" in shared
    # The figures are the whole import's, and the page says so.
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in shared.split('<td class="num"')[1:6]]
    assert cells == ["3", "3", "0", "0", "0"]
    assert "its row figures (read, created, updated, unchanged, skipped) cover all" in page
    # Nothing of the other municipalities: not their names, files or users.
    assert "city-secret.csv" not in page
    assert "operator-city" not in page
    assert "London" not in page
    assert "Nothing has been imported" not in page


def test_a_shared_import_is_listed_for_each_municipality_it_wrote_to_and_no_other(
    england, municipality_x, desk_worker_x, client_for
):
    city_reader = make_user("reader-city", england["gb-city-of-london"], Role.DESK_STAFF)
    city = client_for(city_reader).get(url(england["gb-city-of-london"]))
    assert [b.file_name for b in city.context["page"].object_list] == [
        "city-secret.csv",
        "visits.csv",
    ]
    hackney_reader = make_user("reader-hackney", england["gb-hackney"], Role.DESK_STAFF)
    hackney = client_for(hackney_reader).get(url(england["gb-hackney"]), HTTP_ACCEPT_LANGUAGE="en")
    assert list(hackney.context["page"].object_list) == []
    assert "Nothing has been imported into this municipality yet." in hackney.content.decode()
    norway = client_for(desk_worker_x).get(url(municipality_x))
    assert "visits.csv" not in norway.content.decode()


def test_an_outsider_cannot_see_the_shared_imports_of_a_municipality(england, client_for):
    hackney_reader = make_user("reader-hackney", england["gb-hackney"], Role.DESK_STAFF)
    response = client_for(hackney_reader).get(url(england["gb-barnet"]))
    assert response.status_code == 404


def test_the_page_without_shared_imports_does_not_explain_them(
    history, municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(url(municipality_x), HTTP_ACCEPT_LANGUAGE="en")
    assert not any(b.is_shared for b in response.context["page"].object_list)
    assert "Shared import" not in response.content.decode()
    assert "cover all" not in response.content.decode()
