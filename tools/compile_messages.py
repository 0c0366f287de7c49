"""Compile every ``locale/*/LC_MESSAGES/django.po`` under ``src/torg`` into ``django.mo``
with polib, so that no GNU gettext is needed (Django's ``compilemessages`` calls msgfmt).

The ``.mo`` files are committed: a newcomer's machine needs nothing to show Norwegian.
``--check`` exits with status 1 when a ``.mo`` file is missing or out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1] / "src" / "torg"


def catalogue(mo_or_po: polib._BaseFile) -> dict[tuple[str | None, str], str]:
    entries: dict[tuple[str | None, str], str] = {}
    for entry in mo_or_po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            for index, text in sorted(entry.msgstr_plural.items()):
                entries[(entry.msgctxt, f"{entry.msgid}\x00{entry.msgid_plural}[{index}]")] = text
        else:
            entries[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return entries


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for po_path in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        po = polib.pofile(str(po_path))
        if check:
            if not mo_path.exists() or catalogue(polib.mofile(str(mo_path))) != {
                k: v for k, v in catalogue(po).items() if v
            }:
                stale.append(mo_path)
            continue
        po.save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(ROOT.parent.parent)}")
    if stale:
        print("Out of date (run `make messages`):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
