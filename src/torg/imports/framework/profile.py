"""How a profile declares one kind of source file: its columns, its scope, its records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol

from torg.imports.framework.errors import ImportRefused
from torg.imports.framework.writer import Record, UpsertWriter
from torg.lib.tabular import PLAIN, NumberFormat, normalise_header
from torg.organisation.models import Municipality


class Scope(StrEnum):
    """Whose data a profile writes."""

    TENANT = "tenant"  # one municipality, named with --municipality
    ROUTED = "routed"  # rows name their municipality (by number); --municipality filters
    NATIONAL = "national"  # public reference data that belongs to no tenant


@dataclass(frozen=True)
class Column:
    """One source column: its ``header`` in the file (compared without regard to case,
    spacing or line breaks; ``aliases`` are accepted too), the ``field`` name it gets in
    the values passed to :meth:`Profile.build`, and ``parse`` turning the cell text into a
    value (raising ``ValueError`` with the reason). An empty cell is an error unless
    ``allow_empty`` (then the value is ``None``); a column missing from the header is an
    error unless ``optional`` (then every value is ``None``).

    ``lookup`` names a method of the profile to use instead of ``parse`` for a cell whose
    meaning depends on what :meth:`Profile.begin` loaded (a site by its name, an event
    name in a mapping): ``method(text) -> value``, raising ``ValueError`` or
    :class:`RowError`. Every cell of a row is parsed or looked up, so that one bad cell
    does not hide another."""

    header: str
    field: str
    parse: Callable[[str], Any] = str
    allow_empty: bool = False
    optional: bool = False
    aliases: tuple[str, ...] = ()
    lookup: str | None = None


@dataclass
class ImportRun:
    """What a profile knows while it builds records: the file, the target municipality (or,
    for routed profiles, the municipalities by number), and options."""

    path: Path
    municipality: Municipality | None
    municipalities_by_number: dict[str, Municipality] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    # ``field`` → the file's header for each of the profile's columns that the file has (an
    # optional column it lacks is not among them): for a profile that needs one of several
    # columns, and for messages that name a column as the file does.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def fields(self) -> frozenset[str]:
        """The ``field`` names of the profile's columns that the file has."""
        return frozenset(self.headers)

    def header(self, field_name: str, default: str) -> str:
        """The file's header of the column read into ``field_name``, or ``default``."""
        return self.headers.get(field_name, default)

    def require_municipality(self) -> Municipality:
        if self.municipality is None:  # pragma: no cover - guarded by run_import
            raise ImportRefused("This profile needs --municipality.")
        return self.municipality


class Profile:
    """Base class of an import profile. Subclasses set the class attributes and implement
    :meth:`build`; they may override :meth:`begin` to load lookups (sites, services)."""

    name: ClassVar[str]
    title: ClassVar[str]
    scope: ClassVar[Scope] = Scope.TENANT
    # A class attribute in most profiles; set per instance by :meth:`configure` in a profile
    # whose columns depend on its options.
    columns: tuple[Column, ...]
    number_format: ClassVar[NumberFormat] = PLAIN
    country: ClassVar[str | None] = None  # for routed and national profiles
    source: ClassVar[str] = ""
    # The options the profile reads from ImportRun.options (`torg import … --set name=value`):
    # name → what it does. Any other option is refused, so that a misspelt one is not
    # silently ignored.
    options: ClassVar[dict[str, str]] = {}
    # What one element of a JSON array is called in messages ("request 3, key 'status'").
    item_noun: ClassVar[str] = "item"

    def writer(self) -> UpsertWriter:
        raise NotImplementedError

    def configure(self, municipality: Municipality | None, options: dict[str, Any]) -> None:
        """Called before the file is read, with the target municipality and the options: a
        profile whose columns depend on them (a survey wave's items) sets ``columns`` here.
        Raise :class:`ImportRefused` for a user error."""

    def begin(self, run: ImportRun) -> None:
        """Prepare lookups for ``run``. Raise :class:`ImportRefused` for a user error."""

    def build(
        self, values: dict[str, Any], row: int, run: ImportRun
    ) -> Record | list[Record] | None:
        """Turn one row's parsed ``values`` into records (``None`` skips the row, counted as
        skipped). Raise :class:`RowError` for a row that is wrong as a whole.

        Called only for a row whose every cell parsed (and was looked up, see
        :attr:`Column.lookup`): the checks made here, which need several valid cells (a
        period that ends before it starts, a local time the clocks skip at the row's
        site), are skipped for a row with a bad cell, whose bad cells are all reported.
        Checks of one cell belong in the column's ``parse`` or ``lookup``, not here."""
        raise NotImplementedError

    def existing_scope(self, run: ImportRun) -> dict[str, Any] | None:
        """Narrows the search for rows already stored (see :meth:`UpsertWriter.write`)."""
        if run.municipality is not None and self.scope != Scope.NATIONAL:
            return {"municipality_id": run.municipality.pk}
        return None

    def summary_notes(self) -> list[str]:
        """Remarks for the import's one-line summary, gathered while building (values the
        profile accepted but could not map, say). Called once, after every row is read."""
        return []

    def failure_notes(self) -> list[str]:
        """Remarks on the file as a whole for an import that fails (every unknown name the
        rows use, say), reported before the rows' issues. Called once, after every row is
        read, only when some row is wrong."""
        return []

    missing_row_reason: ClassVar[str] = "there is no stored row to update"
    # The file's columns whose values together make a record's natural key, named in the
    # message about a row that repeats another.
    key_columns: ClassVar[tuple[str, ...]] = ()

    def describe_key(self, key: tuple[Any, ...]) -> str:
        """The natural ``key`` as the file's user reads it (a site's name, a period in the
        site's local time), for the message about a repeated row."""
        return ", ".join(str(k) for k in key)


class ParseOptions(Protocol):
    def __call__(self, text: str) -> Any: ...


def choice_parser(mapping: Mapping[str, Any], *, what: str) -> Callable[[str], Any]:
    """A parse function that maps cell text (case- and space-insensitively) through
    ``mapping``; unknown text raises ``ValueError`` listing the accepted values."""
    normalised = {normalise_header(k): v for k, v in mapping.items()}
    accepted = ", ".join(sorted(mapping))
    # Files repeat a handful of spellings in every row: remember each one already seen.
    seen: dict[str, Any] = {}

    def parse(text: str) -> Any:
        try:
            return seen[text]
        except KeyError:
            pass
        try:
            value = normalised[normalise_header(text)]
        except KeyError:
            raise ValueError(f"unknown {what}; expected one of: {accepted}") from None
        if len(seen) < 1000:
            seen[text] = value
        return value

    return parse


def iter_profiles_help(profiles: Iterable[Profile]) -> str:
    """One line per profile, ``  name  [scope]  title``, with the columns as wide as the
    longest name; each option of a profile follows on a line of its own."""
    ordered = sorted(profiles, key=lambda p: p.name)
    width = max((len(p.name) for p in ordered), default=0)
    scope_width = max((len(p.scope.value) for p in ordered), default=0) + 2
    lines: list[str] = []
    for profile in ordered:
        scope = f"[{profile.scope.value}]"
        lines.append(f"  {profile.name:<{width}}  {scope:<{scope_width}}  {profile.title}")
        for name, help_text in profile.options.items():
            lines.append(f"  {'':<{width}}  {'':<{scope_width}}  --set {name}=…  {help_text}")
    return "\n".join(lines)
