"""Personas shared by every test: municipality X (where our users work) and municipality Y
(the outsider's), a desk worker, an analyst, a manager and an administrator of X, and an
outsider who is a manager of Y."""

from __future__ import annotations

import pytest
from django.test import Client

from torg.organisation.models import Municipality, Role, Site
from torg.testing.factories import PASSWORD, make_municipality, make_site, make_user


@pytest.fixture
def municipality_x(db: None) -> Municipality:
    return make_municipality("kommune-x", name="Kommune X", number="3005")


@pytest.fixture
def municipality_y(db: None) -> Municipality:
    return make_municipality("kommune-y", name="Kommune Y", number="3014")


@pytest.fixture
def site_a(municipality_x: Municipality) -> Site:
    return make_site(municipality_x, "Torget A")


@pytest.fixture
def site_b(municipality_y: Municipality) -> Site:
    return make_site(municipality_y, "Torget B")


@pytest.fixture
def desk_worker_x(municipality_x: Municipality):  # type: ignore[no-untyped-def]
    return make_user("desk-x", municipality_x, Role.DESK_STAFF)


@pytest.fixture
def analyst_x(municipality_x: Municipality):  # type: ignore[no-untyped-def]
    return make_user("analyst-x", municipality_x, Role.ANALYST)


@pytest.fixture
def manager_x(municipality_x: Municipality):  # type: ignore[no-untyped-def]
    return make_user("manager-x", municipality_x, Role.MANAGER)


@pytest.fixture
def administrator_x(municipality_x: Municipality):  # type: ignore[no-untyped-def]
    return make_user("admin-x", municipality_x, Role.ADMINISTRATOR)


@pytest.fixture
def outsider_y(municipality_y: Municipality):  # type: ignore[no-untyped-def]
    return make_user("outsider-y", municipality_y, Role.MANAGER)


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """``client_for(user)`` returns a test client logged in as ``user``."""

    def make(user) -> Client:  # type: ignore[no-untyped-def]
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    """PBKDF2 at full strength costs seconds per login on a loaded 2-core machine; tests
    do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def installation_language():  # type: ignore[no-untyped-def]
    """Every test starts in the installation's language (bokmål), whatever an earlier
    test's request left active in the thread: a test that reads English asks for it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
