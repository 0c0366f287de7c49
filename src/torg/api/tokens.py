"""Per-municipality API tokens with scopes, for ticket, queue and chat systems.

A token is made for one user in one municipality with a list of scopes, each
``<resource>:read`` or ``<resource>:write``. A request with it is allowed only when

* the URL's municipality is the token's (otherwise *404*, as for any non-member),
* the endpoint's resource and the method's kind (safe methods read, the others write) are
  among the token's scopes (otherwise *403*), and
* the user's role there still allows it (the same check as for a logged-in user).

Clients send ``Authorization: Bearer <key>``. The key is 40 random URL-safe characters after
the prefix ``torg_``, made with :func:`secrets.token_urlsafe` (a CSPRNG, as OWASP's API
security guidance asks); only its SHA-256 is stored. Plain user tokens
(``Authorization: Token``) keep working and are not limited to one municipality.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from torg.api.models import ApiToken
from torg.organisation.models import Membership, Municipality

#: The resources a token can be scoped to, and the endpoints (router basenames) of each.
RESOURCES: dict[str, frozenset[str]] = {
    "organisation": frozenset({"municipality", "site"}),
    "catalogue": frozenset({"category", "service"}),
    "inquiries": frozenset({"inquiry"}),
    "visits": frozenset({"visit-count", "event"}),
    "statistics": frozenset({"inquiry-statistics"}),
    "referrals": frozenset({"team", "referral"}),
    "digital_inquiries": frozenset({"digital-inquiry"}),
}
SCOPES: tuple[str, ...] = tuple(
    f"{resource}:{kind}" for resource in RESOURCES for kind in ("read", "write")
)
PREFIX = "torg_"
KEYWORD = "Bearer"


def resource_of(basename: str | None) -> str | None:
    """The resource an endpoint (its router ``basename``) belongs to; ``None`` for an
    endpoint no token may use."""
    for resource, basenames in RESOURCES.items():
        if basename in basenames:
            return resource
    return None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *,
    user: User,
    municipality_slug: str,
    name: str,
    scopes: Iterable[str],
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` in the municipality ``municipality_slug``; returns the
    token and its key, which is never shown again.

    Raises :class:`ValidationError` for an unknown municipality, a user who is not a
    member there, an empty or too long name, no scopes or an unknown scope (the message
    lists the valid ones), or ``expires_in_days`` below 1.
    """
    municipality = Municipality.objects.filter(slug=municipality_slug).first()
    if municipality is None:
        raise ValidationError(_("There is no municipality %(slug)s.") % {"slug": municipality_slug})
    if not Membership.objects.filter(user=user, municipality=municipality).exists():
        raise ValidationError(
            _("%(user)s is not a member of %(municipality)s.")
            % {"user": user.get_username(), "municipality": municipality.name}
        )
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Give the token a name of 1 to 100 characters."))
    wanted = sorted(set(scopes))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if not wanted or unknown:
        raise ValidationError(
            _("Unknown or missing scope %(scopes)s; the scopes are: %(valid)s.")
            % {"scopes": ", ".join(unknown) or "-", "valid": ", ".join(SCOPES)}
        )
    if expires_in_days is not None and expires_in_days < 1:
        raise ValidationError(_("A token must be valid for at least one day."))
    key = PREFIX + secrets.token_urlsafe(30)
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            municipality=municipality,
            user=user,
            name=name,
            prefix=key[: len(PREFIX) + 8],
            key_hash=_hash(key),
            scopes=wanted,
            expires_at=expires_at,
        )
    return token, key


def api_token_revoke(*, prefix: str) -> ApiToken:
    """Revoke the token whose key starts with ``prefix`` (as listed); revoking twice
    changes nothing. Raises :class:`ValidationError` when no token has that prefix."""
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None:
        raise ValidationError(_("There is no token %(prefix)s.") % {"prefix": prefix})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer torg_…``: the token's user, with the token as
    ``request.auth`` so that :class:`~torg.api.permissions.TenantPermission` can hold it
    to its municipality and scopes."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after Bearer."))
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = (
            ApiToken.objects.select_related("user", "municipality")
            .filter(key_hash=_hash(key))
            .first()
        )
        now = timezone.now()
        if (
            token is None
            or token.revoked_at is not None
            or (token.expires_at is not None and token.expires_at <= now)
            or not token.user.is_active
        ):
            raise exceptions.AuthenticationFailed(_("The token is not valid, revoked or expired."))
        # At most one write a minute per token, so that a busy integration does not
        # write on every request.
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD


def token_allows(
    token: ApiToken, *, municipality_slug: str, basename: str | None, write: bool
) -> str | None:
    """Why ``token`` may not be used here (``"municipality"`` or ``"scope"``), or ``None``
    when it may."""
    if token.municipality.slug != municipality_slug:
        return "municipality"
    resource = resource_of(basename)
    if resource is None or f"{resource}:{'write' if write else 'read'}" not in token.scopes:
        return "scope"
    return None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of :class:`ApiTokenAuthentication` (HTTP bearer)."""

    target_class = ApiTokenAuthentication
    name = "municipalityToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A municipality API token (torg create token): one municipality, its scopes."
            ),
        }
