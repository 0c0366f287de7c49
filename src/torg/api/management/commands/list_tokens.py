"""``torg list tokens [--municipality <slug>]``: prefixes, names, scopes, last use."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from torg.api.models import ApiToken


class Command(BaseCommand):
    help = "List the municipality API tokens (never their keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = ApiToken.objects.select_related("municipality", "user").order_by(
            "municipality__slug", "name"
        )
        if options["municipality"]:
            tokens = tokens.filter(municipality__slug=options["municipality"])
        for token in tokens:
            state = _("revoked") if token.revoked_at else _("active")
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "-"
            self.stdout.write(
                f"{token.prefix}\t{token.municipality.slug}\t{token.user.get_username()}\t"
                f"{token.name}\t{','.join(token.scopes)}\t{state}\t{used}"
            )
