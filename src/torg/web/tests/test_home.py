"""The home page: the user's municipalities, straight to the dashboard when there is one,
a filter when there are many; and the header's municipality switcher."""

from __future__ import annotations

from torg.organisation.models import Membership, Role
from torg.testing.factories import make_municipality, make_user


def test_a_member_of_one_municipality_goes_straight_to_its_dashboard(client_for, desk_worker_x):
    response = client_for(desk_worker_x).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/m/kommune-x/"


def test_a_member_of_many_municipalities_sees_them_grouped_by_country_with_a_filter(client_for, db):
    user = make_user("many")
    for index in range(10):
        municipality = make_municipality(
            f"no-{index}", name=f"Norsk {index}", number=f"31{index:02d}"
        )
        Membership.objects.create(user_id=user.pk, municipality=municipality, role=Role.ANALYST)
    toronto = make_municipality("toronto", name="Toronto", number="3520005", country="CA")
    Membership.objects.create(user_id=user.pk, municipality=toronto, role=Role.ADMINISTRATOR)
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'type="search"' in html
    assert "Showing 11 of 11 municipalities." in html
    assert html.index("Norway") < html.index("Canada")
    assert 'href="/m/toronto/"' in html
    filtered = client.get("/?q=toronto").content.decode()
    assert "Showing 1 of 11 municipalities." in filtered
    assert 'href="/m/no-1/"' not in filtered


def test_a_user_without_municipalities_is_told_whom_to_ask(client_for, db):
    client = client_for(make_user("nobody"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert b"Ask an administrator" in client.get("/").content


def test_the_switcher_lists_only_the_users_municipalities_and_goes_to_the_chosen_one(
    client_for, desk_worker_x, municipality_y
):
    other = make_municipality("kommune-z", name="Kommune Z", number="3020")
    Membership.objects.create(user=desk_worker_x, municipality=other, role=Role.DESK_STAFF)
    client = client_for(desk_worker_x)
    html = client.get("/m/kommune-x/").content.decode()
    assert 'value="kommune-z"' in html
    assert 'value="kommune-y"' not in html
    response = client.get("/switch/?municipality=kommune-z")
    assert response.status_code == 302 and response["Location"] == "/m/kommune-z/"


def test_every_page_has_a_skip_link_a_language_switch_and_the_current_menu_item(
    client_for, desk_worker_x
):
    html = client_for(desk_worker_x).get("/m/kommune-x/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert 'name="language"' in html and 'value="en"' in html
    assert '<a href="/m/kommune-x/" aria-current="page">' in html
