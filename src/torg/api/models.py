"""What the API keeps between requests: the idempotency keys of writes.

A client sends every write (POST, PUT, PATCH, DELETE) with an ``Idempotency-Key`` header.
The first successful response is stored under (user, key); a retry with the same key and the
same request gets that stored response back and changes nothing. See
:mod:`torg.api.idempotency` and the IETF draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One key a user sent with a write, the request it was sent with, and the response.

    Keys are scoped per user: two users may send the same key without interfering.
    ``request_fingerprint`` is the SHA-256 of method, path and the parsed body, so that a
    key reused for a *different* request is refused rather than answered with the wrong
    response.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(_("key"), max_length=255)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    request_fingerprint = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), encoder=DjangoJSONEncoder, null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class ApiToken(models.Model):
    """A municipality's API token for a ticket, queue or chat system.

    It acts for ``user`` (whose role in the municipality still applies to every request) but
    only in ``municipality`` and only for its ``scopes``: ``<resource>:read`` or
    ``<resource>:write`` (see :data:`torg.api.tokens.SCOPES`). The key itself is shown once,
    when the token is made; only its SHA-256 is stored, so a copy of the database reveals no
    usable key. A revoked or expired token is refused with *401*.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="api_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["municipality", "name"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"
