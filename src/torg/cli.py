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
from collections.abc import Iterable

ALIASES = {"import": "import_data"}
USER_ERROR = 2
# What Django's command line answers itself, without a command of that name.
DJANGO_BUILT_INS = frozenset({"help", "version", "--help", "-h", "--version"})


class UnknownForm(Exception):
    """``torg <verb> <word>`` where ``<verb>`` is the verb of Torg's two-word commands but
    ``<word>`` none of its nouns; the message lists the valid forms."""


def two_word_forms(torg_commands: Iterable[str]) -> dict[str, list[str]]:
    """Verb → the ``torg <verb> <noun>`` forms of Torg's own ``<verb>_<noun>`` commands
    (and of the aliases, ``torg import``).

    >>> two_word_forms(["load_catalogue", "add_member", "import_data", "demo"])
    {'add': ['torg add member'], 'import': ['torg import <profile> <file>'], 'load': ['torg load catalogue']}
    """
    forms: dict[str, list[str]] = {}
    aliased = {command: verb for verb, command in ALIASES.items()}
    for command in sorted(torg_commands):
        if command in aliased:
            forms.setdefault(aliased[command], []).append(
                f"torg {aliased[command]} <profile> <file>"
            )
            continue
        verb, underscore, noun = command.partition("_")
        if underscore:
            forms.setdefault(verb, []).append(f"torg {verb} {noun.replace('_', '-')}")
    return dict(sorted(forms.items()))


def resolve(argv: list[str], known: set[str], torg_commands: Iterable[str] = ()) -> list[str]:
    """Map ``torg`` arguments to ``manage.py`` arguments. ``known`` holds every command
    name; ``torg_commands`` Torg's own, whose ``<verb>_<noun>`` names make the two-word
    forms. Raises :class:`UnknownForm` for a verb of a two-word form followed by no noun
    of it, and for a word that is no command at all (exit status 2, not Django's 1).

    >>> resolve(["load", "catalogue", "--municipality", "x"], {"load_catalogue"})
    ['load_catalogue', '--municipality', 'x']
    >>> resolve(["import", "p", "f"], set())
    ['import_data', 'p', 'f']
    """
    if not argv:
        return ["help"]
    if len(argv) >= 2 and f"{argv[0]}_{argv[1]}".replace("-", "_") in known:
        return [f"{argv[0]}_{argv[1]}".replace("-", "_"), *argv[2:]]
    verb = argv[0]
    forms = two_word_forms(torg_commands)
    if verb in forms and verb not in ALIASES and verb not in known:
        given = f"torg {verb} {argv[1]}" if len(argv) >= 2 else f"torg {verb}"
        raise UnknownForm(
            f"Unknown command: {given!r}. Valid: {', '.join(forms[verb])} "
            "(`torg help` lists every command)."
        )
    if not ({verb} & known or verb in ALIASES or verb in DJANGO_BUILT_INS or verb[:1] == "-"):
        raise UnknownForm(
            f"Unknown command: 'torg {verb}'. {own_commands(torg_commands)} "
            "(`torg help` lists every command)."
        )
    return [ALIASES.get(verb, verb), *argv[1:]]


def own_commands(torg_commands: Iterable[str]) -> str:
    """The sentence listing Torg's own commands as a user types them.

    >>> own_commands(["load_catalogue", "import_data", "demo"])
    "Torg's own commands: torg demo, torg import <profile> <file>, torg load catalogue"
    """
    forms = [form for verb_forms in two_word_forms(torg_commands).values() for form in verb_forms]
    single = [f"torg {command}" for command in torg_commands if "_" not in command]
    return f"Torg's own commands: {', '.join(sorted([*forms, *single]))}"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "torg.settings")
    import django
    from django.core.management import (
        execute_from_command_line,
        get_commands,
        load_command_class,
    )

    django.setup()
    words = list(sys.argv[1:] if argv is None else argv)
    commands = get_commands()
    torg_commands = [name for name, app in commands.items() if app.startswith("torg.")]
    try:
        args = resolve(words, set(commands), torg_commands)
    except UnknownForm as error:
        sys.stderr.write(f"{error}\n")
        sys.exit(USER_ERROR)
    if args[0] in torg_commands and args[0] != words[0]:
        # A two-word form or an alias: run the command under the name the user typed, so
        # that its usage line reads "torg load catalogue …", not "torg load_catalogue …".
        typed = len(words) - len(args) + 1  # 2 words for "load catalogue", 1 for "import"
        command = load_command_class(commands[args[0]], args[0])
        command.run_from_argv(
            [" ".join(["torg", *words[: typed - 1]]), words[typed - 1], *args[1:]]
        )
        return
    execute_from_command_line(["torg", *args])
    if args == ["help"]:
        forms = two_word_forms(torg_commands)
        sys.stdout.write(
            "\nTorg's own commands, in two words:\n"
            + "".join(f"    {form}\n" for verb in forms for form in forms[verb])
        )


if __name__ == "__main__":
    main()
