"""The import framework that every import in Torg goes through.

A :class:`Profile` declares how one kind of source file maps to Torg: which columns it
expects (source header → field, with a parse function per column), how a parsed row
becomes one or more records (:meth:`Profile.build`), and where they are written (an
:class:`UpsertWriter` keyed on the record's natural key).

:func:`run_import` then guarantees, for every profile:

* every row is read and validated before anything is written; every bad cell becomes an
  :class:`Issue` naming file, row, column, value and reason, and one bad cell means
  nothing at all is written (:class:`ImportFailed`);
* the write happens in one transaction, together with its :class:`ImportBatch` record, so
  a killed process leaves the database as it was;
* re-importing the same file adds nothing: a file whose SHA-256 is already recorded for the
  profile and municipality is skipped, and any other file is upserted on the natural key,
  so rows already present are left as they are (or updated where the file changed them);
* two rows of one file with the same natural key are an error, not a silent overwrite.

User errors (unknown profile or municipality, unreadable or mismatched file) raise
:class:`ImportRefused` with a message that says what would be valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from torg.imports.models import ImportBatch
from torg.lib.tabular import (
    PLAIN,
    NumberFormat,
    Table,
    TableError,
    find_columns,
    normalise_header,
    read_table,
)
from torg.organisation.models import Municipality

Record = dict[str, Any]
ProgressCallback = Callable[[str, int, int | None], None]


class Scope(StrEnum):
    """Whose data a profile writes."""

    TENANT = "tenant"  # one municipality, named with --municipality
    ROUTED = "routed"  # rows name their municipality (by number); --municipality filters
    NATIONAL = "national"  # public reference data that belongs to no tenant


@dataclass(frozen=True)
class Issue:
    """One problem in a source file. ``row`` is the spreadsheet row (header = 1); ``row``
    and ``column`` are ``None`` for problems with the file as a whole."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{where}: {self.reason}{value}"


class ImportRefused(Exception):
    """A user error before any row is read: the message says what would be valid."""


class ImportFailed(Exception):
    """The file has bad rows; nothing was written. ``issues`` lists every bad cell."""

    def __init__(self, issues: Sequence[Issue], rows_read: int) -> None:
        self.issues = list(issues)
        self.rows_read = rows_read
        shown = "\n".join(f"  {issue}" for issue in self.issues[:20])
        more = len(self.issues) - 20
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(self.issues)} problem(s) in {rows_read} row(s); nothing was imported.\n"
            f"{shown}{tail}"
        )


class RowError(ValueError):
    """Raised by :meth:`Profile.build` for a row that cannot become a record."""

    def __init__(self, reason: str, column: str | None = None, value: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.value = value


@dataclass(frozen=True)
class Column:
    """One source column: its ``header`` in the file (compared without regard to case,
    spacing or line breaks; ``aliases`` are accepted too), the ``field`` name it gets in
    the values passed to :meth:`Profile.build`, and ``parse`` turning the cell text into a
    value (raising ``ValueError`` with the reason). An empty cell is an error unless
    ``allow_empty`` (then the value is ``None``); a column missing from the header is an
    error unless ``optional`` (then every value is ``None``)."""

    header: str
    field: str
    parse: Callable[[str], Any] = str
    allow_empty: bool = False
    optional: bool = False
    aliases: tuple[str, ...] = ()


class UpsertWriter:
    """Writes records into ``model`` in bulk, keyed on the natural key ``key`` (attribute
    names, e.g. ``("site_id", "entrance", "period_start", "period_end")``, which must be a
    unique constraint of the model).

    A record already present with the same values is left alone; one whose values differ
    is updated; the rest are inserted. Records are dicts keyed by attribute name; attributes
    they leave out get the field's default. Existing rows are read inside the caller's
    transaction, then new rows go in with one plain ``INSERT`` per chunk (an upsert with
    foreign-key checks is several times slower in SQLite) and changed rows with ``UPDATE``.
    """

    CHUNK = 20_000

    def __init__(
        self,
        model: type[models.Model],
        key: Sequence[str],
        *,
        ignore_in_comparison: Sequence[str] = ("import_batch_id",),
        update_only: Sequence[str] | None = None,
    ) -> None:
        self.model = model
        self.key = tuple(key)
        self.update_only = tuple(update_only) if update_only is not None else None
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, models.AutoField)
        ]
        self.columns = [f.attname for f in self.fields]
        unknown = set(self.key) - set(self.columns)
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {', '.join(sorted(unknown))}")
        self.compared = [
            c for c in self.columns if c not in self.key and c not in ignore_in_comparison
        ]
        if self.update_only is not None:
            # Only these columns are compared and set; a record whose key is not stored yet
            # is an error (MissingRows), never an insert.
            self.compared = [c for c in self.update_only if c not in ignore_in_comparison]
            self.columns = [*self.key, *self.update_only]
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
        self._key_getter = (
            itemgetter(*self.key) if len(self.key) > 1 else (lambda r: (r[self.key[0]],))
        )
        if self.update_only is not None:
            # Never fill a default into a column that is to be updated: that would
            # overwrite a stored value with nothing the file said.
            self.complete = self._complete_update  # type: ignore[method-assign]

    def key_of(self, record: Record) -> tuple[Any, ...]:
        return self._key_getter(record)

    def complete(self, record: Record) -> Record:
        """Fill defaults; raise ``RowError`` for a required attribute that is missing."""
        if len(record) < len(self.columns):
            record = {**self.defaults, **record}
            if len(record) < len(self.columns):
                missing = [c for c in self.columns if c not in record]
                raise RowError(f"internal: the record lacks {', '.join(missing)}")
        return record

    def _complete_update(self, record: Record) -> Record:
        """:meth:`complete` of an update-only writer: every updated column must be given
        (``import_batch_id`` is set by :func:`run_import`)."""
        if "import_batch_id" in self.columns:
            record.setdefault("import_batch_id", None)
        missing = [c for c in self.columns if c not in record and c != "import_batch_id"]
        if missing:
            raise RowError(f"internal: the record lacks {', '.join(missing)}")
        return record

    def _adapters(self, columns: Sequence[str]) -> list[tuple[int, Callable[[Any], Any]]]:
        """(position, adapter) for the columns whose Python value the driver cannot take."""
        by_name = {f.attname: f for f in self.fields}
        adapters: list[tuple[int, Callable[[Any], Any]]] = []
        vendor = connection.vendor
        for position, name in enumerate(columns):
            f = by_name[name]
            if isinstance(f, models.DateTimeField) and vendor == "sqlite":
                adapters.append((position, _sqlite_datetime))  # naive UTC text, as Django stores it
            elif isinstance(
                f,
                models.CharField
                | models.TextField
                | models.IntegerField
                | models.BooleanField
                | models.ForeignKey,
            ):
                continue
            else:
                adapters.append((position, _prep_for(f)))
        return adapters

    def _rows(self, records: Sequence[Record], columns: Sequence[str]) -> list[Any]:
        getter = itemgetter(*columns)
        adapters = self._adapters(columns)
        if not adapters:
            return [getter(record) for record in records]
        rows = []
        for record in records:
            row = list(getter(record))
            for position, adapt in adapters:
                value = row[position]
                if value is not None:
                    row[position] = adapt(value)
            rows.append(row)
        return rows

    def _existing(
        self, records: Sequence[Record], scope: Mapping[str, Any] | None
    ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """Key → compared values of the rows already stored that ``records`` might hit.

        The query is narrowed by ``scope`` and, per key field, by the set (few values) or
        the range (many) of the records' values, so a small import into a large table
        reads little."""
        queryset = self.model._default_manager.filter(**(scope or {}))
        for name in self.key:
            values = {r[name] for r in records}
            if None in values:
                continue
            if len(values) <= 500:
                queryset = queryset.filter(**{f"{name}__in": values})
            else:
                queryset = queryset.filter(
                    **{f"{name}__gte": min(values), f"{name}__lte": max(values)}
                )
        width = len(self.key)
        return {
            tuple(row[:width]): tuple(row[width:])
            for row in queryset.values_list(*self.key, *self.compared).iterator(chunk_size=10_000)
        }

    def write(
        self,
        records: Sequence[Record],
        *,
        scope: Mapping[str, Any] | None = None,
        progress: ProgressCallback | None = None,
    ) -> tuple[int, int, int]:
        """Insert new ``records``, update changed ones; return ``(created, updated, unchanged)``.

        ``scope`` (for example ``{"municipality_id": 3}``) narrows the search for existing
        rows; it must cover every record. Call inside a transaction.
        """
        if not records:
            return 0, 0, 0
        existing = self._existing(records, scope) if self.model._default_manager.exists() else {}
        new: list[Record] = []
        changed: list[Record] = []
        key_of = self.key_of
        compared = self.compared
        missing: list[tuple[Any, ...]] = []
        for record in records:
            old = existing.get(key_of(record))
            if old is None:
                if self.update_only is not None:
                    missing.append(key_of(record))
                    continue
                new.append(record)
            elif old != tuple(record[c] for c in compared):
                changed.append(record)
        if missing:
            raise MissingRows(missing)
        # Table and column names come from the model's metadata, never from a file or a
        # user, and every value is a bound parameter.
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        insert_sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )
        settable = [c for c in self.columns if c not in self.key]
        update_sql = (
            f"UPDATE {table} SET {', '.join(f'{quote(c)} = %s' for c in settable)} "
            f"WHERE {' AND '.join(f'{quote(c)} = %s' for c in self.key)}"
        )
        total = len(new) + len(changed)
        done = 0
        with connection.cursor() as cursor:
            for sql, batch, columns in (
                (insert_sql, new, self.columns),
                (update_sql, changed, [*settable, *self.key]),
            ):
                for offset in range(0, len(batch), self.CHUNK):
                    chunk = batch[offset : offset + self.CHUNK]
                    cursor.executemany(sql, self._rows(chunk, columns))
                    done += len(chunk)
                    if progress:
                        progress("write", done, total)
        return len(new), len(changed), len(records) - total


def _prep_for(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prepare


class MissingRows(Exception):
    """An update-only writer met records whose key is not stored (``keys``)."""

    def __init__(self, keys: Sequence[tuple[Any, ...]]) -> None:
        super().__init__(f"{len(keys)} record(s) have no stored row to update")
        self.keys = list(keys)


@lru_cache(maxsize=100_000)
def _sqlite_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ")


@dataclass
class ImportRun:
    """What a profile knows while it builds records: the file, the target municipality (or,
    for routed profiles, the municipalities by number), and options."""

    path: Path
    municipality: Municipality | None
    municipalities_by_number: dict[str, Municipality] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

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
    columns: ClassVar[tuple[Column, ...]]
    number_format: ClassVar[NumberFormat] = PLAIN
    country: ClassVar[str | None] = None  # for routed and national profiles
    source: ClassVar[str] = ""

    def writer(self) -> UpsertWriter:
        raise NotImplementedError

    def begin(self, run: ImportRun) -> None:
        """Prepare lookups for ``run``. Raise :class:`ImportRefused` for a user error."""

    def build(
        self, values: dict[str, Any], row: int, run: ImportRun
    ) -> Record | list[Record] | None:
        """Turn one row's parsed ``values`` into records (``None`` skips the row, counted as
        skipped). Raise :class:`RowError` for a row that is wrong as a whole."""
        raise NotImplementedError

    def existing_scope(self, run: ImportRun) -> dict[str, Any] | None:
        """Narrows the search for rows already stored (see :meth:`UpsertWriter.write`)."""
        if run.municipality is not None and self.scope != Scope.NATIONAL:
            return {"municipality_id": run.municipality.pk}
        return None

    missing_row_reason: ClassVar[str] = "there is no stored row to update"

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return ", ".join(str(k) for k in key)


@dataclass
class ImportResult:
    """What :func:`run_import` did: rows read from the file, records built from them (a
    row may make several), and how many records were created, updated, left unchanged or
    skipped by the profile (``build`` returned ``None``)."""

    profile: str
    file_name: str
    municipality: str | None
    rows_read: int = 0
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    dry_run: bool = False
    already_imported: bool = False
    batch_id: int | None = None

    def summary(self) -> str:
        """The one-line summary the command prints."""
        target = f" into {self.municipality}" if self.municipality else ""
        if self.already_imported:
            return (
                f"{self.file_name} was already imported{target} with profile {self.profile}; "
                "nothing to do (use --force to import it again)."
            )
        prefix = "Dry run, nothing written: would import" if self.dry_run else "Imported"
        return (
            f"{prefix} {self.file_name}{target} with profile {self.profile}: "
            f"{self.rows_read} rows read, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped."
        )


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes (what decides "already imported")."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _resolve_municipality(profile: Profile, slug: str | None) -> Municipality | None:
    if profile.scope == Scope.NATIONAL:
        if slug:
            raise ImportRefused(
                f"The profile {profile.name} imports national reference data that belongs to no "
                "municipality; leave out --municipality."
            )
        return None
    if not slug:
        if profile.scope == Scope.ROUTED:
            return None
        raise ImportRefused(
            f"The profile {profile.name} needs --municipality <slug>. {_valid_municipalities()}"
        )
    found = Municipality.objects.filter(slug=slug).first()
    if found is None:
        raise ImportRefused(f"There is no municipality {slug!r}. {_valid_municipalities()}")
    return found


def _already_imported(profile: Profile, target: Municipality | None, sha: str) -> bool:
    return ImportBatch.objects.filter(
        profile=profile.name, municipality=target, file_sha256=sha
    ).exists()


def _valid_municipalities() -> str:
    slugs = list(Municipality.objects.order_by("slug").values_list("slug", flat=True)[:60])
    if not slugs:
        return "No municipality exists yet (create one, or run `torg demo`)."
    more = Municipality.objects.count() - len(slugs)
    listed = ", ".join(slugs) + (f" and {more} more" if more > 0 else "")
    return f"Valid municipalities: {listed}."


def _match_columns(
    profile: Profile, table: Table
) -> list[tuple[str, int, Callable[[str], Any], bool]]:
    wanted: list[str] = []
    for column in profile.columns:
        wanted.append(column.header)
        wanted.extend(column.aliases)
    found = find_columns(table.headers, wanted)
    plan: list[tuple[str, int, Callable[[str], Any], bool]] = []
    missing: list[str] = []
    for column in profile.columns:
        index = next((found[h] for h in (column.header, *column.aliases) if h in found), None)
        if index is None:
            if not column.optional:
                missing.append(column.header)
            continue
        plan.append((column.field, index, column.parse, column.allow_empty))
    if missing:
        present = ", ".join(repr(" ".join(h.split())) for h in table.headers[:15] if h.strip())
        raise ImportRefused(
            f"{table.path.name} does not match the profile {profile.name}: it lacks the column(s) "
            f"{', '.join(repr(m) for m in missing)}. Its header has: {present or '(nothing)'}."
        )
    return plan


def run_import(
    profile_name: str,
    path: Path | str,
    *,
    municipality: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    user: AbstractBaseUser | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    options: dict[str, Any] | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import ``path`` through the profile named ``profile_name`` (see the module docstring
    for the guarantees). ``municipality`` is a slug. Returns an :class:`ImportResult`
    (``already_imported`` when the file's SHA-256 is recorded for the profile and
    municipality and ``force`` is not set; counts without a ``batch_id`` for ``dry_run``).

    Raises :class:`ImportRefused` for user errors: an unknown profile or municipality, a
    missing, unreadable or mismatched file, a CSV record that cannot be parsed, or a row the
    database refuses (then the transaction is rolled back). Raises :class:`ImportFailed`
    listing every bad cell when any row is wrong; nothing is written in either case.
    ``progress(phase, done, total)`` is called with phase ``"read"`` every 50,000 rows
    and at the end, and ``"write"`` after every :attr:`UpsertWriter.CHUNK` records.
    """
    from torg.imports.registry import get_profile

    profile = get_profile(profile_name)
    target = _resolve_municipality(profile, municipality)
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(f"{path}: no such file.")
    try:
        sha = file_sha256(path)
    except OSError as error:
        raise ImportRefused(f"{path} cannot be read: {error.strerror or error}.") from error
    result = ImportResult(
        profile=profile.name,
        file_name=path.name,
        municipality=target.slug if target else None,
        dry_run=dry_run,
    )
    if not force and _already_imported(profile, target, sha):
        result.already_imported = True
        return result
    try:
        table = read_table(
            path,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            number_format=profile.number_format,
        )
    except TableError as error:
        raise ImportRefused(str(error)) from error
    except OSError as error:
        raise ImportRefused(f"{path} cannot be read: {error.strerror or error}.") from error
    try:
        plan = _match_columns(profile, table)
    except TableError as error:
        raise ImportRefused(f"{path.name}: {error}") from error
    run = ImportRun(path=path, municipality=target, options=dict(options or {}))
    if profile.scope == Scope.ROUTED:
        run.municipalities_by_number = {
            m.number: m for m in Municipality.objects.filter(country=profile.country or "")
        }
    profile.begin(run)
    writer = profile.writer()
    started = timezone.now()
    try:
        records, issues, rows_read, skipped, row_of_key = _read_rows(
            profile, table, plan, run, writer, progress
        )
    except TableError as error:
        # A record the CSV reader cannot parse (an unterminated quote, a NUL byte).
        raise ImportRefused(f"{error} Nothing was imported.") from error
    if issues:
        raise ImportFailed(issues, rows_read)
    result.rows_read, result.records, result.skipped = rows_read, len(records), skipped
    with transaction.atomic():
        if not force and _already_imported(profile, target, sha):
            # Another import of the same file finished while this one was reading.
            result.already_imported = True
            return result
        batch = ImportBatch.objects.create(
            municipality=target,
            profile=profile.name,
            file_name=path.name,
            file_sha256=sha,
            rows_read=rows_read,
            rows_skipped=skipped,
            started_at=started,
            finished_at=started,
            created_by=user if user is not None and user.is_authenticated else None,  # type: ignore[misc]
        )
        if "import_batch_id" in writer.columns:
            for record in records:
                record["import_batch_id"] = batch.pk
        try:
            created, updated, unchanged = writer.write(
                records, scope=profile.existing_scope(run), progress=progress
            )
        except MissingRows as error:
            raise ImportFailed(
                [
                    Issue(
                        path.name,
                        row_of_key.get(key),
                        None,
                        None,
                        f"{profile.describe_key(key)}: {profile.missing_row_reason}",
                    )
                    for key in error.keys
                ],
                rows_read,
            ) from None
        except DatabaseError as error:
            # A constraint the profile did not check (IntegrityError), a value too long for
            # its column in PostgreSQL (DataError), a lock: the transaction is rolled back.
            raise ImportRefused(
                f"The database refused {path.name} ({error}); nothing was imported."
            ) from error
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows_created=created,
            rows_updated=updated,
            rows_unchanged=unchanged,
            finished_at=timezone.now(),
        )
        result.created, result.updated, result.unchanged = created, updated, unchanged
        result.batch_id = batch.pk
        if dry_run:
            transaction.set_rollback(True)
            result.batch_id = None
    return result


def _read_rows(
    profile: Profile,
    table: Table,
    plan: Sequence[tuple[str, int, Callable[[str], Any], bool]],
    run: ImportRun,
    writer: UpsertWriter,
    progress: ProgressCallback | None,
) -> tuple[list[Record], list[Issue], int, int, dict[tuple[Any, ...], int]]:
    file_name = table.path.name
    headers = table.headers
    width = max((index for _, index, _, _ in plan), default=-1) + 1
    records: list[Record] = []
    issues: list[Issue] = []
    seen: dict[tuple[Any, ...], int] = {}
    key_of = writer.key_of
    complete = writer.complete
    build = profile.build
    rows_read = 0
    skipped = 0
    report_every = 50_000
    for row_number, cells in table.rows:
        rows_read += 1
        if progress and rows_read % report_every == 0:
            progress("read", rows_read, None)
        if len(cells) < width:
            issues.append(
                Issue(
                    file_name,
                    row_number,
                    None,
                    None,
                    f"the row has {len(cells)} cells; the header has {len(headers)}",
                )
            )
            continue
        values: dict[str, Any] = {}
        row_ok = True
        for name, index, parse, allow_empty in plan:
            text = cells[index]
            if not text or text.isspace():
                if allow_empty:
                    values[name] = None
                    continue
                issues.append(
                    Issue(file_name, row_number, _clean_header(headers[index]), text, "is empty")
                )
                row_ok = False
                continue
            try:
                values[name] = parse(text)
            except (ValueError, ArithmeticError) as error:
                issues.append(
                    Issue(
                        file_name,
                        row_number,
                        _clean_header(headers[index]),
                        text,
                        str(error) or "invalid value",
                    )
                )
                row_ok = False
        if not row_ok:
            continue
        try:
            built = build(values, row_number, run)
        except RowError as error:
            issues.append(Issue(file_name, row_number, error.column, error.value, error.reason))
            continue
        if built is None:
            skipped += 1
            continue
        for record in built if isinstance(built, list) else (built,):
            try:
                record = complete(record)
            except RowError as error:
                issues.append(Issue(file_name, row_number, None, None, error.reason))
                continue
            key = key_of(record)
            first = seen.get(key)
            if first is not None:
                issues.append(
                    Issue(
                        file_name,
                        row_number,
                        None,
                        None,
                        f"repeats row {first} ({profile.describe_key(key)}); each may appear once",
                    )
                )
                continue
            seen[key] = row_number
            records.append(record)
    if progress:
        progress("read", rows_read, rows_read)
    return records, issues, rows_read, skipped, seen


def _clean_header(header: str) -> str:
    return " ".join(header.split())


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
    return "\n".join(f"  {p.name:<28} {p.title}" for p in sorted(profiles, key=lambda p: p.name))
