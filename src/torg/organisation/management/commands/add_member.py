"""``torg add member <username> --municipality <slug> --role <role> [--create]``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from torg.organisation.models import Role
from torg.organisation.services import membership_grant


class Command(BaseCommand):
    help = "Give a user a role in a municipality (desk staff, manager, analyst, administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--municipality", required=True, help="Slug of the municipality.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument(
            "--create", action="store_true", help="Create the user, with a generated password."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            membership, password = membership_grant(
                username=options["username"],
                municipality_slug=options["municipality"],
                role=options["role"],
                create_user=options["create"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        created = f" Created the user with the password {password} ." if password else ""
        self.stdout.write(
            f"{membership.user.get_username()} is now {membership.get_role_display()} in "
            f"{membership.municipality.name}.{created}"
        )
