"""All import profiles by name. A profile module registers its classes here."""

from __future__ import annotations

from torg.imports.framework import ImportRefused, Profile

_PROFILES: dict[str, type[Profile]] = {}


def register(cls: type[Profile]) -> type[Profile]:
    """Class decorator: make ``cls`` available to ``torg import`` under ``cls.name``."""
    if cls.name in _PROFILES and _PROFILES[cls.name] is not cls:
        raise ValueError(f"Two import profiles are named {cls.name!r}.")
    _PROFILES[cls.name] = cls
    return cls


def _load() -> None:
    from torg.imports import profiles  # noqa: F401  (registers every profile)


def all_profiles() -> list[Profile]:
    _load()
    return [cls() for _, cls in sorted(_PROFILES.items())]


def get_profile(name: str) -> Profile:
    """The profile named ``name``; :class:`ImportRefused` lists the valid names otherwise."""
    _load()
    try:
        return _PROFILES[name]()
    except KeyError:
        valid = ", ".join(sorted(_PROFILES))
        raise ImportRefused(
            f"There is no import profile {name!r}. Valid profiles: {valid}."
        ) from None
