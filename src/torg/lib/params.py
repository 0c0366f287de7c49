"""Reading numbers and text from query strings without surprises. No Django.

``str.isdigit()`` accepts "²" and "٣", which ``int()`` then refuses or reads; and a
20-digit id overflows the database's 64-bit integers. These helpers accept only what the
database can hold, and say ``None`` to everything else.
"""

from __future__ import annotations

import re

LARGEST_ID = 2**63 - 1  # a BigAutoField / SQLite INTEGER
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def whole_number(text: str, *, maximum: int = LARGEST_ID) -> int | None:
    """The whole number 0…``maximum`` written with ASCII digits (surrounding spaces
    allowed), or ``None``.

    >>> whole_number(" 42 "), whole_number("²"), whole_number("99999999999999999999")
    (42, None, None)
    """
    value = text.strip()
    if not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if number <= maximum else None


def page_number(text: str | None) -> int:
    """The page a list's ``?page=`` asks for, from 1: like every bad parameter read with
    :func:`whole_number`, text that is no page number (``0``, ``-1``, ``abc``, ``²``) is
    as if it were not given, which is the first page. (Django's ``Paginator.get_page``
    alone turns ``0`` and ``-1`` into the *last* page.) A number past the last page is
    left for the paginator, which shows the last one.

    >>> page_number("3"), page_number("0"), page_number("-1"), page_number(None)
    (3, 1, 1, 1)
    """
    number = whole_number(text or "")
    return number if number else 1


def printable(text: str, *, limit: int = 200) -> str:
    """``text`` without control characters (a NUL byte included), stripped and cut to
    ``limit`` characters: safe to echo back in a page.

    >>> printable("Drammen\\x00\\n")
    'Drammen'
    """
    return "".join(ch for ch in text if ch.isprintable()).strip()[:limit]
