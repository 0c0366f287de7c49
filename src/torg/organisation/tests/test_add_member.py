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


def _add(*args: str) -> str:
    out = io.StringIO()
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
    with translation.override("nb"), pytest.raises(CommandError, match="Gyldige kommuner"):
        _add("nobody", "--municipality", "nowhere", "--role", "manager")
