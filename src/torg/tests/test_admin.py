"""Django's admin shows every municipality at once, so only superusers may use it: no
municipal user, whatever their role, and not even a staff user who is not a superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from torg.organisation.models import Role
from torg.testing.factories import PASSWORD, make_user
from torg.tests.routes import Route, all_routes

pytestmark = pytest.mark.django_db

ADMIN_ROUTES = [
    route
    for route in all_routes()
    if route.route.startswith("admin/") and route.name != "admin:login"
]


def admin_path(route: Route) -> str:
    return route.path({name: "1" for name in route.params} | {"app_label": "auth"})


def test_a_manager_of_a_municipality_cannot_reach_the_admin(manager_x, client_for):
    response = client_for(manager_x).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda route: route.label)
def test_every_admin_url_sends_a_municipal_administrator_to_the_admin_login(
    route, administrator_x, client_for
):
    response = client_for(administrator_x).get(admin_path(route), follow=True)
    # Every chain of redirects ends at the login form (logout goes by the index first).
    assert response.redirect_chain, admin_path(route)
    assert response.request["PATH_INFO"] == "/admin/login/"


def test_a_staff_user_who_is_not_a_superuser_cannot_use_the_admin(municipality_x, client_for):
    staff = make_user("staff-x", municipality_x, Role.ADMINISTRATOR)
    staff.is_staff = True
    staff.save()
    response = client_for(staff).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_login_form_refuses_a_staff_user_who_is_not_a_superuser(client, municipality_x):
    staff = make_user("staff-x", municipality_x, Role.ADMINISTRATOR)
    staff.is_staff = True
    staff.save()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff-x", "password": PASSWORD}
    )
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_a_superuser_uses_the_admin(client):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    assert client.login(username="root", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
