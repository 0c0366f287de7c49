"""The bulk writer: inserts new records, updates changed ones, leaves the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.db import connection, models

from torg.imports.framework.errors import MissingRows, RowError

Record = dict[str, Any]
ProgressCallback = Callable[[str, int, int | None], None]

# The values an integer column holds in every database Torg runs on (PostgreSQL's ranges;
# SQLite stores up to 64 bits in any of them, so the narrower limit is checked here).
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
}


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
        # (column, lowest, highest) of the number columns a record fills from a file.
        self._limits: list[tuple[str, int | Decimal, int | Decimal]] = []
        for f in self.fields:
            if f.attname not in self.columns or f.is_relation:
                continue
            internal = f.get_internal_type()
            if internal in INTEGER_RANGES:
                self._limits.append((f.attname, *INTEGER_RANGES[internal]))
            elif isinstance(f, models.DecimalField) and f.max_digits is not None:
                places = f.decimal_places or 0
                bound = Decimal(10) ** (f.max_digits - places) - Decimal(10) ** -places
                self._limits.append((f.attname, -bound, bound))
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

    def out_of_range(self, records: Sequence[Record]) -> list[tuple[Record, str, Any, str]]:
        """``(record, column, value, reason)`` for every number in ``records`` that its
        column cannot hold (:data:`INTEGER_RANGES`; a decimal's ``max_digits``). Profiles
        check their own cells (:meth:`~torg.lib.tabular.NumberFormat.parse_count`); this
        is the check behind them, so that no value reaches the database driver that it
        would refuse with a traceback (SQLite: ``OverflowError``) or store wrongly."""
        found: list[tuple[Record, str, Any, str]] = []
        for column, low, high in self._limits:
            for record in records:
                value = record.get(column)
                try:
                    if value is None or low <= value <= high:
                        continue
                except TypeError:
                    continue  # not a number: the database will say so
                reason = f"cannot be below {low:,}" if value < low else f"cannot be above {high:,}"
                found.append((record, column, value, f"{reason}, the limit of what Torg stores"))
        return found

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


@lru_cache(maxsize=100_000)
def _sqlite_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ")
