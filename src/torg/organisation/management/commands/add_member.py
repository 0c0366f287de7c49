"""``torg add member <username> --municipality <slug> --role <role> [--site <site>]...
[--all-sites] [--create] [--force]``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from torg.organisation.models import Role
from torg.organisation.services import membership_grant


def _role_name(role: str) -> str:
    """The role's translated name as it reads inside a sentence ("desk staff")."""
    label = str(Role(role).label)
    return label[:1].lower() + label[1:]


class Command(BaseCommand):
    help = "Give a user a role in a municipality (desk staff, manager, analyst, administrator)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--municipality", required=True, help="Slug of the municipality.")
        parser.add_argument("--role", required=True, help=f"One of: {', '.join(Role.values)}.")
        parser.add_argument(
            "--create", action="store_true", help="Create the user, with a generated password."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Take the administrator role even from the municipality's last administrator.",
        )
        sites = parser.add_mutually_exclusive_group()
        sites.add_argument(
            "--site",
            action="append",
            dest="sites",
            metavar="SITE",
            help=(
                "Bind a desk staff or manager membership to this site (code or name); repeat "
                "for several. A new member without --site sees every site; for an existing "
                "member, leaving out --site keeps the sites they have."
            ),
        )
        sites.add_argument(
            "--all-sites",
            action="store_true",
            help="Let the member see every site of the municipality again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            membership, password, previous = membership_grant(
                username=options["username"],
                municipality_slug=options["municipality"],
                role=options["role"],
                create_user=options["create"],
                force=options["force"],
                sites=[] if options["all_sites"] else options["sites"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        names = {
            "user": membership.user.get_username(),
            "municipality": membership.municipality.name,
            "role": _role_name(membership.role),
        }
        if previous is not None and previous != membership.role:
            line = _("%(user)s was %(previous)s, is now %(role)s in %(municipality)s.") % {
                **names,
                "previous": _role_name(previous),
            }
        elif previous is not None and not (options["sites"] or options["all_sites"]):
            line = _("%(user)s was already %(role)s in %(municipality)s; nothing changed.") % names
        else:
            line = _("%(user)s is now %(role)s in %(municipality)s.") % names
        bound = [site.name for site in membership.sites.order_by("name")]
        if bound:
            line += " " + _("Sites: %(sites)s.") % {"sites": ", ".join(bound)}
        elif options["all_sites"] or options["sites"] is not None:
            line += " " + _("Sites: all.")
        if password:
            # The space before the full stop keeps it out of a password copied by a double-click.
            line += " " + _("Created the user with the password %(password)s .") % {
                "password": password
            }
        self.stdout.write(line)
