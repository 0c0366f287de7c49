"""Municipality API tokens: bound to one municipality and to their scopes, key shown once,
only its hash stored, revocable, and refused after expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from torg.api.models import ApiToken
from torg.api.tokens import SCOPES, api_token_create, api_token_revoke
from torg.organisation.models import Membership, Role
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db


def bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_reads_what_its_scopes_allow_and_nothing_else(municipality_x, manager_x):
    make_site(municipality_x, "Torget")
    _token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="kø-system",
        scopes=["organisation:read"],
    )
    client = bearer(key)

    sites = client.get(f"/api/v1/m/{municipality_x.slug}/sites/")
    services = client.get(f"/api/v1/m/{municipality_x.slug}/services/")

    assert sites.status_code == 200
    assert [row["name"] for row in sites.json()["results"]] == ["Torget"]
    assert services.status_code == 403


def test_a_read_scope_does_not_allow_writing(municipality_x, manager_x):
    _token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="katalog",
        scopes=["catalogue:read"],
    )

    response = bearer(key).post(
        f"/api/v1/m/{municipality_x.slug}/service-categories/",
        {"code": "new", "name_nb": "Ny", "name_en": "New"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 403
    assert not municipality_x.service_categories.filter(code="new").exists()


def test_a_write_scope_writes_within_the_users_role(municipality_x, manager_x):
    _token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="katalog",
        scopes=["catalogue:write"],
    )

    response = bearer(key).post(
        f"/api/v1/m/{municipality_x.slug}/service-categories/",
        {"code": "new", "name_nb": "Ny", "name_en": "New"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 201, response.content


def test_a_scope_cannot_lift_the_users_role(municipality_x, desk_worker_x):
    _token, key = api_token_create(
        user=desk_worker_x,
        municipality_slug=municipality_x.slug,
        name="katalog",
        scopes=["catalogue:write"],
    )

    response = bearer(key).post(
        f"/api/v1/m/{municipality_x.slug}/service-categories/",
        {"code": "new", "name_nb": "Ny", "name_en": "New"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    assert response.status_code == 403


def test_a_token_of_one_municipality_finds_nothing_in_another_even_for_a_member_of_both(
    municipality_x, municipality_y, manager_x
):
    Membership.objects.create(user=manager_x, municipality=municipality_y, role=Role.MANAGER)
    make_site(municipality_y, "Y-torget")
    _token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="x only",
        scopes=list(SCOPES),
    )

    response = bearer(key).get(f"/api/v1/m/{municipality_y.slug}/sites/")

    assert response.status_code == 404
    assert "Y-torget" not in response.content.decode()


def test_only_the_hash_of_the_key_is_stored(municipality_x, manager_x):
    token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="chat",
        scopes=["inquiries:read"],
    )

    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith("torg_") and len(key) >= 40
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key.startswith(stored.prefix)


@pytest.mark.parametrize("how", ["revoked", "expired", "wrong", "inactive user"])
def test_a_revoked_expired_or_unknown_token_gets_401(municipality_x, manager_x, how):
    token, key = api_token_create(
        user=manager_x,
        municipality_slug=municipality_x.slug,
        name="chat",
        scopes=["organisation:read"],
    )
    if how == "revoked":
        api_token_revoke(prefix=token.prefix)
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif how == "wrong":
        key = key[:-1] + ("A" if key[-1] != "A" else "B")
    else:
        manager_x.is_active = False
        manager_x.save()

    response = bearer(key).get(f"/api/v1/m/{municipality_x.slug}/sites/")

    assert response.status_code == 401


@override("en")
def test_a_token_can_be_made_only_for_a_member_with_known_scopes(
    municipality_x, municipality_y, manager_x
):
    with pytest.raises(ValidationError, match="not a member"):
        api_token_create(
            user=manager_x, municipality_slug=municipality_y.slug, name="n", scopes=["visits:read"]
        )
    with pytest.raises(ValidationError, match="inquiries:delete"):
        api_token_create(
            user=manager_x,
            municipality_slug=municipality_x.slug,
            name="n",
            scopes=["inquiries:delete"],
        )
    with pytest.raises(ValidationError):
        api_token_create(user=manager_x, municipality_slug=municipality_x.slug, name="n", scopes=[])
    assert not ApiToken.objects.exists()


def test_the_commands_make_list_and_revoke_a_token(municipality_x, manager_x):
    out = io.StringIO()
    call_command(
        "create_token",
        manager_x.username,
        municipality=municipality_x.slug,
        scope=["inquiries:write", "inquiries:read"],
        name="chat tool",
        stdout=out,
    )
    key = out.getvalue().split("Bearer ")[1].split()[0]
    token = ApiToken.objects.get()
    assert token.scopes == ["inquiries:read", "inquiries:write"]
    assert bearer(key).get(f"/api/v1/m/{municipality_x.slug}/inquiries/").status_code == 200

    listing = io.StringIO()
    call_command("list_tokens", stdout=listing)
    assert token.prefix in listing.getvalue() and key not in listing.getvalue()

    call_command("revoke_token", token.prefix, stdout=io.StringIO())
    assert bearer(key).get(f"/api/v1/m/{municipality_x.slug}/inquiries/").status_code == 401


def test_a_command_user_error_exits_with_status_2(municipality_x, manager_x):
    with pytest.raises(CommandError) as error:
        call_command(
            "create_token",
            manager_x.username,
            municipality=municipality_x.slug,
            scope=["everything"],
            name="x",
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("revoke_token", "torg_nothing", stdout=io.StringIO())
    assert error.value.returncode == 2
