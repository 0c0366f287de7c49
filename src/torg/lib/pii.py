"""PLACEHOLDER (helper "queue", issue 3): the interface of the personal-data scrubber with
only e-mail addresses recognised. The lead replaces this file with the full scrubber
(identity numbers, phone numbers, bank accounts, postal addresses) when the branches merge.

``scrub(text)`` returns a :class:`ScrubResult`: the text with every recognised item replaced
by a placeholder, the removals (kind and character span in the *original* text), and
``counts()``, the number of removals by kind.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

EMAIL = "email"
PLACEHOLDER = {EMAIL: "[e-mail removed]"}

# Deliberately simple: local part, @, a dotted domain with a letter-only top level.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Removal:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class ScrubResult:
    text: str
    removals: tuple[Removal, ...]

    def counts(self) -> dict[str, int]:
        """Removals by kind, e.g. ``{"email": 2}``; empty when nothing was removed."""
        return dict(Counter(removal.kind for removal in self.removals))


def scrub(text: str) -> ScrubResult:
    """Replace every e-mail address in ``text`` by ``[e-mail removed]`` (placeholder)."""
    removals = tuple(Removal(EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text))
    return ScrubResult(text=_EMAIL.sub(PLACEHOLDER[EMAIL], text), removals=removals)
