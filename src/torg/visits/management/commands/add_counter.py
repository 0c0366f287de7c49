"""``torg add counter <site> --municipality <slug> --direction in-out|in [--entrance E]
[--rolls-over-at N] [--step-minutes M]``: register a door counter whose cumulative
readings ``torg import counter-readings`` loads and ``torg convert readings`` turns into
visit counts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from torg.organisation.models import Municipality, Role, Site
from torg.organisation.scoping import Tenancy, scoped
from torg.visits.counters import CounterDirection
from torg.visits.services import door_counter_add

DIRECTIONS = {"in-out": CounterDirection.BIDIRECTIONAL, "in": CounterDirection.UNIDIRECTIONAL}


def site_of(municipality_slug: str, site_text: str) -> tuple[Tenancy, Site]:
    """The (administrator tenancy, site) named on the command line; ``CommandError``
    (exit status 2) when either does not exist."""
    municipality = Municipality.objects.filter(slug=municipality_slug).first()
    if municipality is None:
        raise CommandError(f"No municipality {municipality_slug!r}.", returncode=2)
    sites = scoped(Site, municipality)
    site = sites.filter(name__iexact=site_text).first() or sites.filter(code=site_text).first()
    if site is None:
        known = ", ".join(sites.values_list("name", flat=True)) or "none"
        raise CommandError(
            f"{municipality.name} has no site {site_text!r}; its sites: {known}.", returncode=2
        )
    return Tenancy(municipality=municipality, role=Role.ADMINISTRATOR), site


class Command(BaseCommand):
    help = "Register a door counter (cumulative meter) at a site's entrance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", help="Name or code of the site.")
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--entrance", default="", help="Empty: the whole site.")
        parser.add_argument(
            "--direction",
            required=True,
            choices=sorted(DIRECTIONS),
            help="in-out: counts everybody in and out (visits are half); in: entries only.",
        )
        parser.add_argument("--rolls-over-at", type=int, default=None, help="e.g. 1000000")
        parser.add_argument("--step-minutes", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        tenancy, site = site_of(options["municipality"], options["site"])
        try:
            counter = door_counter_add(
                tenancy=tenancy,
                site=site,
                entrance=options["entrance"],
                direction=DIRECTIONS[options["direction"]].value,
                modulus=options["rolls_over_at"],
                step_minutes=options["step_minutes"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from None
        self.stdout.write(f"Counter {counter.pk} registered at {counter}.")
