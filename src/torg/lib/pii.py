"""PLACEHOLDER until the pii branch merges: the lead replaces this file at merge time.

It has exactly the interface of the real module (``scrub(text) -> ScrubResult``), so that
the desk page can be built against it, but it only removes e-mail addresses. Do not rely
on it to remove national identity numbers, phone numbers, bank accounts or addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: What replaces a removed piece of text.
PLACEHOLDER = "[removed]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Removal:
    """One removed piece: its ``kind`` (``national_id``, ``d_number``, ``phone``,
    ``email``, ``bank_account``, ``postal_address``) and its ``[start, end)`` character
    offsets in the original text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed ``text`` and what was taken out of the original."""

    text: str
    removals: tuple[Removal, ...]

    def counts(self) -> dict[str, int]:
        """Number of removals by kind, e.g. ``{"email": 2}``; kinds not found are absent."""
        found: dict[str, int] = {}
        for removal in self.removals:
            found[removal.kind] = found.get(removal.kind, 0) + 1
        return found


def scrub(text: str) -> ScrubResult:
    """``text`` with every e-mail address replaced by :data:`PLACEHOLDER` (placeholder:
    e-mail addresses only)."""
    removals = tuple(
        Removal("email", match.start(), match.end()) for match in _EMAIL.finditer(text)
    )
    return ScrubResult(text=_EMAIL.sub(PLACEHOLDER, text), removals=removals)
