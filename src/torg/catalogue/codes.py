"""The codes of services and categories, without Django: what a code may look like, and the
code made from a name when a person leaves it empty.

A code is what imports and the default catalogue find a service by, so it is plain ASCII:
lower-case letters a–z, digits, and single hyphens between them (``passport-renewal``).
Norwegian letters are spelled out the usual way before anything else is dropped, so that
"Bøker til særlige behov" becomes ``boker-til-saerlige-behov`` rather than losing its ø and
æ: æ → ae, ø → o, å → a, then every other accented letter without its accent (é → e,
ü → u, through Unicode NFKD).
"""

from __future__ import annotations

import re
import unicodedata

#: A whole code: words of a–z and 0–9 joined by single hyphens.
CODE_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z"
CODE_RE = re.compile(CODE_PATTERN)

_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"})
_NOT_CODE = re.compile(r"[^a-z0-9]+")


def is_code(text: str) -> bool:
    """Whether ``text`` is a valid code."""
    return bool(CODE_RE.match(text))


def code_from_name(name: str, max_length: int = 80) -> str:
    """The code made from ``name``: transliterated, lower-case, words joined by hyphens,
    at most ``max_length`` characters (cut at a hyphen where possible). ``""`` when the
    name has no letter or digit that survives.

    >>> code_from_name("Bøker til særlige behov")
    'boker-til-saerlige-behov'
    >>> code_from_name("Årskort – Café Ørsta")
    'arskort-cafe-orsta'
    """
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    code = _NOT_CODE.sub("-", ascii_only).strip("-")
    if len(code) > max_length:
        cut = code[:max_length]
        code = cut.rsplit("-", 1)[0] if "-" in cut and code[max_length] != "-" else cut
    return code.strip("-")
