"""``torg add member``: how an operator gives a person access to a municipality."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from torg.organisation.models import Membership, Role
from torg.testing.factories import make_user


def _add(*args: str, language: str = "en") -> str:
    """The command's output in English (the tests read its words; which language is
    active otherwise depends on the tests that ran before)."""
    out = io.StringIO()
    with translation.override(language):
        call_command("add_member", *args, stdout=out)
    return out.getvalue()


def test_a_new_user_is_created_with_a_password_that_works(municipality_x) -> None:
    output = _add("kari", "--municipality", "kommune-x", "--role", "manager", "--create")
    password = output.split("password ")[1].split()[0]
    assert Client().login(username="kari", password=password)
    membership = Membership.objects.get(user__username="kari")
    assert (membership.municipality, membership.role) == (municipality_x, Role.MANAGER)


def test_an_existing_member_gets_the_new_role_and_no_second_membership(
    municipality_x, desk_worker_x
) -> None:
    output = _add(desk_worker_x.username, "--municipality", "kommune-x", "--role", "analyst")
    assert "password" not in output
    assert list(Membership.objects.filter(user=desk_worker_x).values_list("role", flat=True)) == [
        Role.ANALYST
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody", "--municipality", "kommune-x", "--role", "manager"), "add --create"),
        (
            ("nobody", "--municipality", "nowhere", "--role", "manager"),
            "Valid municipalities: kommune-x",
        ),
        (("nobody", "--municipality", "kommune-x", "--role", "boss"), "the roles are: desk_staff"),
    ],
)
def test_a_user_error_is_a_message_with_status_2(municipality_x, args, message) -> None:
    with translation.override("en"), pytest.raises(CommandError, match=message) as error:
        _add(*args)
    assert error.value.returncode == 2
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_a_superuser_can_manage_municipalities_and_memberships_in_the_admin(
    municipality_x, desk_worker_x
) -> None:
    root = get_user_model().objects.create_superuser("root", "", "pw-root-123456")
    client = Client()
    client.force_login(root)
    assert client.get("/admin/organisation/municipality/").status_code == 200
    assert (
        client.get(f"/admin/organisation/municipality/{municipality_x.pk}/change/").status_code
        == 200
    )
    assert client.get("/admin/organisation/membership/").status_code == 200
    assert client.get("/admin/organisation/site/add/").status_code == 200


def test_the_messages_are_norwegian_in_a_norwegian_installation(municipality_x) -> None:
    with pytest.raises(CommandError, match="Gyldige kommuner"):
        _add("nobody", "--municipality", "nowhere", "--role", "manager", language="nb")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("", "Give a user name; it cannot be empty."),
        ("   ", "Give a user name; it cannot be empty."),
        ("kari nordmann", "has a space or a control character"),
        ("kari\x07", "has a space or a control character"),
        ("kari\u200b", "has a space or a control character"),  # a zero-width space
        ("kari!", "cannot be used: Enter a valid username"),
        ("k" * 151, "cannot be used: Ensure this value has at most 150 characters"),
    ],
)
def test_a_user_name_the_user_model_refuses_is_a_message_not_a_traceback(
    municipality_x, username, message
) -> None:
    with translation.override("en"), pytest.raises(CommandError) as error:
        _add(username, "--municipality", "kommune-x", "--role", "manager", "--create")
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert not get_user_model().objects.exists()


def test_the_longest_user_name_the_user_model_takes_is_created(municipality_x) -> None:
    _add("k" * 150, "--municipality", "kommune-x", "--role", "manager", "--create")
    assert get_user_model().objects.filter(username="k" * 150).exists()


@pytest.mark.parametrize(("existing", "new"), [("kari", "Kari"), ("åse", "ÅSE")])
def test_a_user_name_that_differs_from_an_existing_one_only_in_case_is_refused(
    municipality_x, existing, new
) -> None:
    get_user_model().objects.create_user(username=existing, password="pw-123456789")
    with translation.override("en"), pytest.raises(CommandError) as error:
        _add(new, "--municipality", "kommune-x", "--role", "manager", "--create")
    assert error.value.returncode == 2
    assert f"There is a user {existing} already" in str(error.value)
    assert list(get_user_model().objects.values_list("username", flat=True)) == [existing]


def test_a_changed_role_says_what_it_was_and_what_it_is_now(municipality_x, desk_worker_x) -> None:
    with translation.override("en"):
        output = _add(desk_worker_x.username, "--municipality", "kommune-x", "--role", "analyst")
        same = _add(desk_worker_x.username, "--municipality", "kommune-x", "--role", "analyst")
        new = _add("kari", "--municipality", "kommune-x", "--role", "manager", "--create")
    assert output == "desk-x was desk staff, is now analyst in Kommune X.\n"
    assert same == "desk-x was already analyst in Kommune X; nothing changed.\n"
    assert new.startswith("kari is now manager in Kommune X. Created the user with the password ")


def test_the_last_administrator_of_a_municipality_is_not_demoted_without_force(
    municipality_x,
) -> None:
    make_user("admin-x", municipality_x, Role.ADMINISTRATOR)
    with translation.override("en"), pytest.raises(CommandError) as error:
        _add("admin-x", "--municipality", "kommune-x", "--role", "desk_staff")
    assert error.value.returncode == 2
    assert "admin-x is the last administrator of Kommune X" in str(error.value)
    assert Membership.objects.get(user__username="admin-x").role == Role.ADMINISTRATOR
    with translation.override("en"):
        output = _add("admin-x", "--municipality", "kommune-x", "--role", "desk_staff", "--force")
    assert output == "admin-x was administrator, is now desk staff in Kommune X.\n"
    assert Membership.objects.get(user__username="admin-x").role == Role.DESK_STAFF


def test_an_administrator_is_demoted_when_another_one_remains(municipality_x) -> None:
    make_user("admin-x", municipality_x, Role.ADMINISTRATOR)
    make_user("admin-x2", municipality_x, Role.ADMINISTRATOR)
    _add("admin-x", "--municipality", "kommune-x", "--role", "manager")
    assert Membership.objects.get(user__username="admin-x").role == Role.MANAGER
    with pytest.raises(CommandError):
        _add("admin-x2", "--municipality", "kommune-x", "--role", "manager")
