"""``torg demo --no-serve``: the newcomer's one command sets everything up, and a second
run adds nothing."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from torg.catalogue.models import Service
from torg.imports.models import ImportBatch
from torg.inquiries.models import Inquiry
from torg.organisation.models import Membership, Municipality, Role, ServicePoint
from torg.referrals.models import Team
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount

pytestmark = pytest.mark.django_db(transaction=False)


def _demo(var: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Municipality,
            VisitCount,
            Event,
            Inquiry,
            AnnualLibraryStatistics,
            Service,
            ImportBatch,
            Membership,
            Team,
            ServicePoint,
        )
    }


def test_the_demo_loads_everything_and_a_second_run_adds_nothing(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    first = _demo(tmp_path)
    counts = _counts()
    assert counts["Municipality"] > 100  # Norway, Italy, Canada and England's authorities
    assert counts["VisitCount"] and counts["Inquiry"] and counts["Event"]
    assert counts["AnnualLibraryStatistics"] == 355
    assert "already imported" not in first

    password_file = tmp_path / "demo-admin-password.txt"
    password = password_file.read_text(encoding="utf-8").strip()
    assert f"Password:  {password}" in first
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert set(Membership.objects.filter(user=admin).values_list("municipality_id", "role")) == {
        (pk, Role.ADMINISTRATOR) for pk in Municipality.objects.values_list("pk", flat=True)
    }
    assert Client().login(username="admin", password=password)
    # Alessandria has both services: a desk at each site and two referral teams with the
    # demo administrator in them, so the desk page and the queue work at once.
    desks = ServicePoint.objects.filter(municipality__slug="alessandria", kind="desk")
    assert sorted(desks.values_list("name", flat=True)) == ["Banco prestiti", "URP – sportello"]
    teams = Team.objects.filter(municipality__slug="alessandria")
    assert sorted(teams.values_list("name", flat=True)) == [
        "Biblioteksteamet",
        "Kommunale tjenester",
    ]
    assert all(team.members.filter(user=admin).exists() for team in teams)

    second = _demo(tmp_path)
    assert _counts() == counts
    assert second.count("already imported") == counts["ImportBatch"]
    assert f"Password:  {password}" in second


def test_a_new_password_can_be_asked_for(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    _demo(tmp_path)
    old = (tmp_path / "demo-admin-password.txt").read_text(encoding="utf-8").strip()
    output = _demo(tmp_path, "--new-password")
    new = (tmp_path / "demo-admin-password.txt").read_text(encoding="utf-8").strip()
    assert new != old and f"Password:  {new}" in output
    assert Client().login(username="admin", password=new)
    assert not Client().login(username="admin", password=old)


def test_a_password_changed_by_hand_is_not_printed_as_if_it_were_valid(settings, tmp_path) -> None:
    settings.VAR_DIR = tmp_path
    _demo(tmp_path)
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("my own choice of password")
    admin.save()
    output = _demo(tmp_path)
    assert "changed since the first run" in output
    assert "my own choice" not in output


@pytest.mark.parametrize("port", ["99999", "0", "-1", "abc"])
def test_a_port_outside_1_to_65535_is_a_usage_error_with_status_2_not_a_traceback(
    tmp_path, port: str
) -> None:
    torg = Path(sys.executable).with_name("torg")
    done = subprocess.run(
        [str(torg), "demo", "--no-serve", f"--port={port}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "TORG_VAR_DIR": str(tmp_path)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "is not a port number" in done.stderr and "65535" in done.stderr
    assert not (tmp_path / "torg.sqlite3").exists()
