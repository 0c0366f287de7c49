"""The ``torg`` command: ``torg <verb> <noun> ...`` runs the management command
``<verb>_<noun>`` when there is one, and ``torg <command> ...`` any other Django command.

Examples::

    torg demo                       # migrate, load the demo data, serve on 127.0.0.1:8000
    torg import <profile> <file> --municipality <slug> [--dry-run]
    torg load catalogue --municipality <slug>
    torg migrate
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import": "import_data"}


def resolve(argv: list[str], known: set[str]) -> list[str]:
    """Map ``torg`` arguments to ``manage.py`` arguments.

    >>> resolve(["load", "catalogue", "--municipality", "x"], {"load_catalogue"})
    ['load_catalogue', '--municipality', 'x']
    >>> resolve(["import", "p", "f"], set())
    ['import_data', 'p', 'f']
    """
    if not argv:
        return ["help"]
    if len(argv) >= 2 and f"{argv[0]}_{argv[1]}".replace("-", "_") in known:
        return [f"{argv[0]}_{argv[1]}".replace("-", "_"), *argv[2:]]
    return [ALIASES.get(argv[0], argv[0]), *argv[1:]]


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "torg.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    args = resolve(list(sys.argv[1:] if argv is None else argv), set(get_commands()))
    execute_from_command_line(["torg", *args])


if __name__ == "__main__":
    main()
