"""Small factory helpers for tests: named personas in named municipalities.

Used by ``conftest.py`` fixtures; each helper creates exactly what it says and returns it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from torg.organisation.models import (
    Membership,
    Municipality,
    Role,
    ServicePoint,
    ServicePointKind,
    Site,
    SiteKind,
)

PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only persona password


def make_municipality(
    slug: str, *, name: str | None = None, number: str | None = None, country: str = "NO"
) -> Municipality:
    return Municipality.objects.create(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        number=number or str(abs(hash(slug)) % 10000).zfill(4),
        country=country,
    )


def make_site(
    municipality: Municipality,
    name: str = "Hovedbiblioteket",
    *,
    kind: str = SiteKind.JOINT,
    time_zone: str = "Europe/Oslo",
    code: str = "",
) -> Site:
    return Site.objects.create(
        municipality=municipality, name=name, kind=kind, time_zone=time_zone, code=code
    )


def make_service_point(
    site: Site, name: str = "Skranke", *, kind: str = ServicePointKind.DESK
) -> ServicePoint:
    return ServicePoint.objects.create(
        municipality=site.municipality, site=site, name=name, kind=kind
    )


def make_user(
    username: str, municipality: Municipality | None = None, role: str = Role.DESK_STAFF
) -> AbstractUser:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if municipality is not None:
        Membership.objects.create(user=user, municipality=municipality, role=role)
    return user


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: str = "Europe/Oslo"
) -> dt.datetime:
    """An aware datetime at local wall-clock time in ``zone``."""
    from torg.lib.localtime import zone as get_zone

    return dt.datetime(year, month, day, hour, minute, tzinfo=get_zone(zone))


def shared_data_file(relative: str) -> Path:
    """A file of ../shared/data, or skip the test when that folder is absent."""
    path = Path(settings.SHARED_DATA_DIR) / relative
    if not path.is_file():
        pytest.skip(f"shared data file {relative} is not present")
    return path


def demo_data_file(relative: str) -> Path:
    """A real data file shipped with Torg under ``torg/demo/data``."""
    path = Path(settings.DEMO_DATA_DIR) / relative
    assert path.is_file(), f"bundled data file {relative} is missing"
    return path


def attrs(obj: Any, *names: str) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}
