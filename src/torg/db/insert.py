"""One INSERT without the ORM's per-call overhead, for the hottest write paths.

``Model.save(force_insert=True)`` compiles the same INSERT statement again on every call,
sends the ``pre_save`` and ``post_save`` signals and walks the model's parents, which
costs several times what the database needs for the row itself. When a desk records an
inquiry, three rows are written (the inquiry, its audit row, the API's idempotency key)
while SQLite's write lock is held, so that overhead also keeps every other writer waiting.

:func:`insert` writes an unsaved instance exactly as ``save(force_insert=True)`` would
for a model without parents: every concrete field but an auto primary key, each value
taken through the field's own ``pre_save`` (``auto_now_add``) and
``get_db_prep_save`` (time zones, JSON, booleans), the same steps as Django's
``SQLInsertCompiler``; the statement text is built once per model and database vendor.
It sends no signals: use it only for models that have no receivers, which
``torg/db/tests/test_insert.py`` checks for every model it is used with.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, models

_statements: dict[tuple[type[models.Model], str], tuple[str, list[models.Field[Any, Any]]]] = {}


def _statement(model: type[models.Model], alias: str) -> tuple[str, list[models.Field[Any, Any]]]:
    connection = connections[alias]
    key = (model, connection.vendor)
    cached = _statements.get(key)
    if cached is not None:
        return cached
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{model.__name__} has parents; save it through the ORM.")
    pk = meta.pk
    if pk is None or meta.auto_field is None:
        raise TypeError(f"{model.__name__} has no automatic primary key.")
    # As Model._save_table for a new row without a primary key value.
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {qn(str(pk.column))}"
    _statements[key] = (sql, fields)
    return sql, fields


def insert(instance: models.Model, using: str = "default") -> None:
    """INSERT the unsaved ``instance`` (of a model without parents, with an automatic
    primary key) and set its primary key, as ``instance.save(force_insert=True)`` does,
    without signals. Raises :class:`~django.db.IntegrityError` as the ORM would (a unique
    or foreign-key constraint), and :class:`ValueError` for an instance that is saved."""
    if instance.pk is not None or not instance._state.adding:
        raise ValueError("insert() writes new rows only.")
    model = type(instance)
    sql, fields = _statement(model, using)
    connection = connections[using]
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.features.can_return_columns_from_insert:
            new_pk = cursor.fetchone()[0]
        else:  # pragma: no cover - every supported database returns columns
            meta = model._meta
            assert meta.pk is not None
            new_pk = connection.ops.last_insert_id(cursor, meta.db_table, str(meta.pk.column))
    instance.pk = new_pk
    instance._state.adding = False
    instance._state.db = using
