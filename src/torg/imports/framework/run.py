"""The run of an import: read, validate every row, then write all or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.utils import timezone

from torg.imports.framework.errors import (
    ImportFailed,
    ImportRefused,
    Issue,
    MissingRows,
    RowError,
    shorten,
)
from torg.imports.framework.profile import ImportRun, Profile, Scope
from torg.imports.framework.writer import ProgressCallback, Record, UpsertWriter
from torg.imports.models import ImportBatch
from torg.lib.tabular import (
    DELIMITER_NAMES,
    DELIMITERS,
    EXCEL_SUFFIXES,
    Table,
    TableError,
    check_is_file,
    find_columns,
    read_table,
)
from torg.organisation.models import Municipality


@dataclass
class ImportResult:
    """What :func:`run_import` did: rows read from the file, records built from them (a
    row may make several), how many records were created, updated or left unchanged, and
    how many rows were skipped: blank rows, and rows the profile skips (``build`` returned
    ``None``).

    Every row read is accounted for: ``rows_read == rows_built + skipped``, and
    ``records == created + updated + unchanged`` (:meth:`check`). When each row makes one
    record, as in every profile so far, the summary's figures add up to the rows read.

    ``ignored_columns`` are the file's columns that the profile does not read (their
    headers, in the file's order), which the summary names so that no column vanishes
    unnoticed. ``notes`` are the profile's remarks (:meth:`Profile.summary_notes`), such as
    values it could not map, which the summary ends with.
    """

    profile: str
    file_name: str
    municipality: str | None
    rows_read: int = 0
    records: int = 0
    rows_built: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    dry_run: bool = False
    already_imported: bool = False
    batch_id: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The one-line summary the command prints."""
        target = f" into {self.municipality}" if self.municipality else ""
        if self.already_imported:
            return (
                f"{self.file_name} was already imported{target} with profile {self.profile}; "
                "nothing to do (use --force to import it again)."
            )
        prefix = "Dry run, nothing written: would import" if self.dry_run else "Imported"
        records = f" ({self.records} records)" if self.records != self.rows_built else ""
        ignored = (
            f"; ignored columns: {', '.join(self.ignored_columns)}" if self.ignored_columns else ""
        )
        notes = "".join(f"; {note}" for note in self.notes)
        return (
            f"{prefix} {self.file_name}{target} with profile {self.profile}: "
            f"{self.rows_read} rows read{records}, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped"
            f"{ignored}{notes}."
        )

    def check(self) -> None:
        """Raise ``RuntimeError`` unless every row read and every record is accounted for
        (see the class docstring): a bug in the framework, never a user's error."""
        if self.already_imported:
            return
        if self.rows_read != self.rows_built + self.skipped or self.records != (
            self.created + self.updated + self.unchanged
        ):
            raise RuntimeError(f"internal: the import's figures do not add up: {self}")


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
) -> tuple[list[tuple[str, int, Callable[[str], Any], bool]], list[str]]:
    """The plan of the profile's columns in ``table``, (field, index, parse, allow_empty)
    each, and the headers of the file's columns that no column of the profile reads."""
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
        parse = getattr(profile, column.lookup) if column.lookup else column.parse
        plan.append((column.field, index, parse, column.allow_empty))
    if missing:
        present = ", ".join(
            repr(shorten(" ".join(h.split()))) for h in table.headers[:15] if h.strip()
        )
        raise ImportRefused(
            f"{table.path.name} does not match the profile {profile.name}: it lacks the column(s) "
            f"{', '.join(repr(m) for m in missing)}. Its header has: {present or '(nothing)'}."
            f"{_delimiter_hint(table)}"
        )
    used = {index for _, index, _, _ in plan}
    ignored = [
        _clean_header(header)
        for index, header in enumerate(table.headers)
        if index not in used and header.strip()
    ]
    return plan, ignored


def _delimiter_hint(table: Table) -> str:
    """For a CSV file whose header reads as one column with another delimiter in it
    (``site,entrance,…`` read with ``;``), the sentence asking whether that is the
    delimiter; otherwise ``""``."""
    filled = [header for header in table.headers if header.strip()]
    if table.delimiter is None or len(filled) != 1:
        return ""
    for delimiter in DELIMITERS:
        if delimiter != table.delimiter and delimiter in filled[0]:
            name = next(n for n, d in DELIMITER_NAMES.items() if d == delimiter)
            return (
                f" The header has one column that contains {delimiter!r}; is the delimiter "
                f"{delimiter!r}? (--delimiter {name})"
            )
    return ""


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

    Raises :class:`ImportRefused` for user errors: an unknown profile, municipality or
    option (``options`` must be among the profile's :attr:`~Profile.options`), a missing,
    unreadable, binary or mismatched file or a folder, a ``sheet`` for a file that is no
    workbook, a CSV record that cannot be parsed,
    or a row the database refuses (then the transaction is rolled back). Raises :class:`ImportFailed`
    listing every bad cell when any row is wrong; nothing is written in either case.
    ``progress(phase, done, total)`` is called with phase ``"read"`` every 50,000 rows
    and at the end, and ``"write"`` after every :attr:`UpsertWriter.CHUNK` records.
    """
    from torg.imports.registry import get_profile

    profile = get_profile(profile_name)
    options = dict(options or {})
    _check_options(profile, options)
    target = _resolve_municipality(profile, municipality)
    profile.configure(target, options)
    path = Path(path)
    try:
        check_is_file(path)
    except TableError as error:
        raise ImportRefused(str(error)) from error
    if sheet is not None and path.suffix.lower() not in EXCEL_SUFFIXES:
        raise ImportRefused(
            f"{path.name} is not a workbook ({', '.join(EXCEL_SUFFIXES)}), so it has no "
            "sheets to choose from; leave out the sheet."
        )
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
            item_noun=profile.item_noun,
        )
    except TableError as error:
        raise ImportRefused(str(error)) from error
    except OSError as error:
        raise ImportRefused(f"{path} cannot be read: {error.strerror or error}.") from error
    try:
        plan, ignored_columns = _match_columns(profile, table)
    except TableError as error:
        raise ImportRefused(f"{path.name}: {error}") from error
    run = ImportRun(
        path=path,
        municipality=target,
        options=options,
        headers={name: _clean_header(table.headers[index]) for name, index, _, _ in plan},
    )
    if profile.scope == Scope.ROUTED:
        run.municipalities_by_number = {
            m.number: m for m in Municipality.objects.filter(country=profile.country or "")
        }
    profile.begin(run)
    writer = profile.writer()
    started = timezone.now()
    try:
        records, issues, rows_read, rows_built, skipped, row_of_key = _read_rows(
            profile, table, plan, run, writer, progress
        )
    except TableError as error:
        # A record the CSV reader cannot parse (an unterminated quote); the message names
        # the row and ends with a full stop.
        raise ImportRefused(f"{error} Nothing was imported.") from error
    issues.extend(
        Issue(
            path.name,
            row_of_key.get(writer.key_of(record)),
            None,
            str(value),
            f"{column} {reason}",
            row_noun=table.row_noun,
        )
        for record, column, value, reason in writer.out_of_range(records)
    )
    if issues:
        issues.extend(Issue(path.name, None, None, None, note) for note in profile.failure_notes())
        issues.sort(key=lambda issue: issue.row or 0)
        raise ImportFailed(issues, rows_read)
    result.rows_read, result.records, result.skipped = rows_read, len(records), skipped
    result.rows_built = rows_built
    result.ignored_columns = ignored_columns
    result.notes = profile.summary_notes()
    if rows_read == 0:
        result.notes.insert(0, "the file has no data rows")
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
            if created or updated:
                _refresh_derived(writer, target)
        except MissingRows as error:
            raise ImportFailed(
                [
                    Issue(
                        path.name,
                        row_of_key.get(key),
                        None,
                        None,
                        f"{profile.describe_key(key)}: {profile.missing_row_reason}",
                        row_noun=table.row_noun,
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
        except OverflowError as error:
            # A number too large for the database driver that no check caught.
            raise ImportRefused(
                f"A number in {path.name} is too large for the database ({error}); "
                "nothing was imported."
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
        result.check()
    return result


def _refresh_derived(writer: UpsertWriter, target: Municipality | None) -> None:
    """Bring the data derived from the written model up to date inside the import's
    transaction, in bulk once per import (a refused or dry-run import rolls it back with
    the rows): the stored daily visit totals (:mod:`torg.visits.totals`)."""
    if writer.model._meta.label == "visits.VisitCount":
        from torg.visits.totals import visit_totals_refresh

        visit_totals_refresh(target)


def _check_options(profile: Profile, options: dict[str, Any]) -> None:
    """Refuse options the profile does not declare (:attr:`Profile.options`)."""
    unknown = sorted(set(options) - set(profile.options))
    if not unknown:
        return
    given = ", ".join(repr(name) for name in unknown)
    if not profile.options:
        raise ImportRefused(f"The profile {profile.name} takes no options; remove {given}.")
    valid = "; ".join(f"{name} ({help_text})" for name, help_text in profile.options.items())
    raise ImportRefused(f"The profile {profile.name} has no option {given}. Its options: {valid}.")


def _read_rows(
    profile: Profile,
    table: Table,
    plan: Sequence[tuple[str, int, Callable[[str], Any], bool]],
    run: ImportRun,
    writer: UpsertWriter,
    progress: ProgressCallback | None,
) -> tuple[list[Record], list[Issue], int, int, int, dict[tuple[Any, ...], int]]:
    """Parse and build every row: (records, issues, rows read, rows that made records,
    rows skipped, natural key → row number)."""
    file_name = table.path.name
    headers = table.headers
    issue = partial(Issue, row_noun=table.row_noun, column_noun=table.column_noun)
    width = max((index for _, index, _, _ in plan), default=-1) + 1
    # The header's width without the empty cells Excel may leave at its end; a row may
    # have empty cells beyond it, but no values.
    header_width = max((i + 1 for i, h in enumerate(headers) if h.strip()), default=0)
    records: list[Record] = []
    issues: list[Issue] = []
    seen: dict[tuple[Any, ...], int] = {}
    key_of = writer.key_of
    complete = writer.complete
    build = profile.build
    rows_read = 0
    rows_built = 0
    skipped = 0
    report_every = 50_000
    for row_number, cells in table.rows:
        rows_read += 1
        if progress and rows_read % report_every == 0:
            progress("read", rows_read, None)
        if len(cells) < width or len(cells) > header_width:
            if not cells:
                skipped += 1  # a blank row
                continue
            if len(cells) < width:
                issues.append(
                    issue(
                        file_name,
                        row_number,
                        None,
                        None,
                        f"the row has {len(cells)} cells; the header has {header_width}",
                    )
                )
                continue
            extra = [cell for cell in cells[header_width:] if cell.strip()]
            if extra:
                last = max(i for i, cell in enumerate(cells) if cell.strip()) + 1
                issues.append(
                    issue(
                        file_name,
                        row_number,
                        None,
                        " | ".join(extra),
                        f"the row has {last} cells; the header has {header_width} "
                        "(a value with the delimiter in it that is not in quotes?)",
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
                    issue(
                        file_name,
                        row_number,
                        _clean_header(headers[index]),
                        text,
                        table.empty_reason(row_number, index),
                    )
                )
                row_ok = False
                continue
            try:
                values[name] = parse(text)
            except RowError as error:
                issues.append(
                    issue(
                        file_name,
                        row_number,
                        error.column or _clean_header(headers[index]),
                        text if error.value is None else error.value,
                        error.reason,
                    )
                )
                row_ok = False
            except (ValueError, ArithmeticError) as error:
                issues.append(
                    issue(
                        file_name,
                        row_number,
                        _clean_header(headers[index]),
                        text,
                        str(error) or "invalid value",
                    )
                )
                row_ok = False
        if not row_ok:
            # The profile's checks of the row as a whole need valid cells; every bad cell
            # of this row is reported above.
            continue
        try:
            built = build(values, row_number, run)
        except RowError as error:
            issues.append(issue(file_name, row_number, error.column, error.value, error.reason))
            continue
        except (ValueError, ArithmeticError) as error:
            # A check the profile left to Python: a date outside the accepted years in its
            # own date code, a number too large. The row is wrong, not the program.
            issues.append(
                issue(
                    file_name,
                    row_number,
                    None,
                    None,
                    str(error) or type(error).__name__,
                )
            )
            continue
        if built is None:
            skipped += 1
            continue
        rows_built += 1
        for record in built if isinstance(built, list) else (built,):
            try:
                record = complete(record)
            except RowError as error:
                issues.append(issue(file_name, row_number, None, None, error.reason))
                continue
            key = key_of(record)
            first = seen.get(key)
            if first is not None:
                issues.append(
                    issue(
                        file_name,
                        row_number,
                        None,
                        None,
                        _repeat_reason(profile, key, first, table.row_noun),
                    )
                )
                continue
            seen[key] = row_number
            records.append(record)
    if progress:
        progress("read", rows_read, rows_read)
    return records, issues, rows_read, rows_built, skipped, seen


def _clean_header(header: str) -> str:
    return " ".join(header.split())


def _repeat_reason(
    profile: Profile, key: tuple[Any, ...], first: int, row_noun: str = "row"
) -> str:
    """The reason of a row whose natural ``key`` repeats that of row ``first``."""
    columns = profile.key_columns
    if not columns:
        return f"repeats {row_noun} {first} ({profile.describe_key(key)}); each may appear once"
    named = columns[0] if len(columns) == 1 else f"{', '.join(columns[:-1])} and {columns[-1]}"
    each = "each value of" if len(columns) == 1 else "each combination of"
    return (
        f"repeats {row_noun} {first} ({profile.describe_key(key)}); "
        f"{each} {named} may appear only once"
    )
