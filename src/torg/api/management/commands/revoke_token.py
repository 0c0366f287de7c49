"""``torg revoke token <prefix>``: a revoked token is refused from the next request on."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from torg.api.tokens import api_token_revoke


class Command(BaseCommand):
    help = "Revoke a municipality API token, named by its prefix (torg list tokens)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token = api_token_revoke(prefix=options["prefix"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(
            _("Token %(prefix)s (%(name)s) is revoked.")
            % {"prefix": token.prefix, "name": token.name}
        )
