"""``torg demo``: everything a newcomer needs, in one command.

Migrates the SQLite database under ``var/``, creates the demo municipalities, loads the
default service catalogue, imports the bundled real data (a file already imported is
skipped, so a second run is fast and adds nothing), creates the demo administrator with a
generated password, and serves the web app on http://127.0.0.1:8000.
"""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from torg.imports.framework import ImportFailed, ImportRefused, run_import
from torg.organisation.models import Membership, Municipality, Role

ADMIN_USERNAME = "admin"
CHANGED_SINCE_HINT = "(changed since the first run; `torg demo --new-password` sets a new one)"


def port_number(text: str) -> int:
    """A TCP port, 1 to 65535; ``argparse.ArgumentTypeError`` otherwise (a usage error, exit
    status 2, rather than runserver's OverflowError traceback)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1 to 65535)") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number: use 1 to 65535")
    return port


class Command(BaseCommand):
    help = (
        "Set up the demo (database, demo municipalities, real data, administrator) and serve Torg."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=port_number, default=8000, help="TCP port, 1 to 65535 (default 8000)."
        )
        parser.add_argument("--address", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Set everything up, then exit.")
        parser.add_argument(
            "--new-password",
            action="store_true",
            help="Give the demo administrator a new password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from torg.demo import setup

        started = time.perf_counter()
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        municipalities = setup.ensure_demo_municipalities()
        self.stdout.write(f"Demo municipalities: {len(municipalities)}")
        self._load_catalogues(municipalities)
        self._import_everything(setup.demo_imports())
        from torg.evaluation.services import ensure_demo_exclusions

        ensure_demo_exclusions()
        password = self._ensure_administrator(new_password=options["new_password"])
        self._ensure_teams(municipalities)
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready in {time.perf_counter() - started:.1f} s.")
        )
        url = f"http://{options['address']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"  Torg:      {url}")
        self.stdout.write(f"  User name: {ADMIN_USERNAME}")
        self.stdout.write(f"  Password:  {password}")
        self.stdout.write("")
        if options["no_serve"]:
            return
        call_command(
            "runserver",
            f"{options['address']}:{options['port']}",
            use_reloader=False,
            skip_checks=True,
        )

    def _ensure_teams(self, municipalities: list[Municipality]) -> None:
        """The referral teams of the demo municipality that has both services (Alessandria),
        with the demo administrator as a member, so that the queue can be tried at once."""
        from torg.referrals.demo import demo_teams

        for municipality in municipalities:
            if municipality.slug == "alessandria":
                demo_teams(municipality)

    def _load_catalogues(self, municipalities: list[Municipality]) -> None:
        try:
            from torg.catalogue.services import catalogue_load_default
        except ImportError:  # pragma: no cover - the catalogue app always has it
            return
        for municipality in municipalities:
            if municipality.country == "GB":
                continue  # England's authorities only carry published totals, no desk data
            catalogue_load_default(municipality=municipality)

    def _import_everything(self, plan: list[tuple[str, Path, str | None]]) -> None:
        for profile, path, municipality in plan:
            try:
                result = run_import(profile, path, municipality=municipality)
            except (ImportRefused, ImportFailed) as error:
                raise CommandError(
                    f"The demo import of {path.name} failed: {error}", returncode=2
                ) from error
            self.stdout.write(f"  {result.summary()}")

    def _ensure_administrator(self, *, new_password: bool) -> str:
        """Create (or keep) the demo administrator, a member of every municipality."""
        password_file = Path(settings.VAR_DIR) / "demo-admin-password.txt"
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=ADMIN_USERNAME).first()
            if user is None or new_password or not password_file.exists():
                password = secrets.token_urlsafe(12)
                if user is None:
                    user = User.objects.create_superuser(
                        username=ADMIN_USERNAME, email="", password=password
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.touch(mode=0o600)
                password_file.write_text(password + "\n", encoding="utf-8")
            else:
                password = password_file.read_text(encoding="utf-8").strip()
                if not user.check_password(password):
                    password = CHANGED_SINCE_HINT
            have = set(
                Membership.objects.filter(user=user).values_list("municipality_id", flat=True)
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=user, municipality=m, role=Role.ADMINISTRATOR)
                    for m in Municipality.objects.exclude(pk__in=have)
                ]
            )
        return password
