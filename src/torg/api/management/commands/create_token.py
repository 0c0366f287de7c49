"""``torg create token <user> --municipality <slug> --scope <scope> [--scope …] --name <name>``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from torg.api.tokens import SCOPES, api_token_create


class Command(BaseCommand):
    help = (
        "Make a municipality API token for a ticket, queue or chat system; the key is shown "
        "once. Scopes: " + ", ".join(SCOPES) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user the token acts for (a member).")
        parser.add_argument("--municipality", required=True)
        parser.add_argument(
            "--scope", action="append", default=[], help="Repeat for several scopes."
        )
        parser.add_argument("--name", required=True, help="What uses it, e.g. 'chat tool'.")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                _("There is no user %(username)s.") % {"username": options["username"]},
                returncode=2,
            )
        try:
            token, key = api_token_create(
                user=user,
                municipality_slug=options["municipality"],
                name=options["name"],
                scopes=options["scope"],
                expires_in_days=options["expires_in_days"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(
            _(
                "Token %(prefix)s for %(name)s in %(municipality)s (%(scopes)s). Send this "
                "header; the key is not shown again:"
            )
            % {
                "prefix": token.prefix,
                "name": token.name,
                "municipality": token.municipality.name,
                "scopes": ", ".join(token.scopes),
            }
        )
        self.stdout.write(f"Authorization: Bearer {key}")
