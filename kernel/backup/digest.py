"""Row counts and content hashes per table, equal across backends for equal data.

Each row is read through the registry's column types (so SQLite's scaled integers come back as
the same ``Decimal`` PostgreSQL's NUMERIC gives) and written as a canonical text: a JSON array
of its values in column-name order, with Decimals normalized (``1.50`` and ``1.5`` are one
value), timestamps in UTC (naive ones are UTC already), JSON values with sorted keys and bytes
in hex. A table's hash is the SHA-256 over its rows' texts in primary-key order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Boolean, Connection, Integer, MetaData, String, Table, TypeDecorator, inspect, select

#: Rows fetched per round trip while hashing.
BATCH = 5000


def canonical(value: Any) -> Any:
    """``value`` as it is hashed: the same text for equal values read from either backend."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        text = format(value.normalize(), "f")
        return "D" + ("0" if text in ("-0", "0") else text)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return "T" + value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return "T" + value.isoformat()
    if isinstance(value, bytes | memoryview):
        return "B" + bytes(value).hex()
    if isinstance(value, float):
        return "F" + repr(value)
    return "J" + json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def table_digest(connection: Connection, table: Table, names: Collection[str] | None = None) -> dict[str, Any]:
    """``{"rows": n, "hash": hex}`` of one table (read in ``connection``'s snapshot), over the
    columns ``names`` (default: all of the table's)."""
    columns = sorted((c for c in table.columns if names is None or c.name in names), key=lambda c: c.name)
    order = list(table.primary_key.columns) or columns
    stmt = select(*columns).order_by(*order)
    plain = [_is_plain(column) for column in columns]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    digest, rows = hashlib.sha256(), 0
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    for partition in result.partitions():
        for row in partition:
            values = [value if fast else canonical(value) for fast, value in zip(plain, row, strict=True)]
            digest.update(encode(values).encode() + b"\n")
        rows += len(partition)
    return {"rows": rows, "hash": digest.hexdigest()}


def _is_plain(column: Any) -> bool:
    """Whether the column's values are read as text, integers or booleans (hashed as they are)."""
    return isinstance(column.type, String | Integer | Boolean) and not isinstance(column.type, TypeDecorator)


def database_digests(connection: Connection, metadata: MetaData, extra: Iterable[Table] = (),
                     columns: dict[str, set[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Digests of every table of ``metadata`` (and ``extra`` tables) present in the database, over
    ``columns`` per table (default: :func:`present_columns` of this database)."""
    tables = [*metadata.sorted_tables, *extra]
    columns = present_columns(connection, tables) if columns is None else columns
    return {table.name: table_digest(connection, table, columns[table.name]) for table in tables
            if table.name in columns}


def present_columns(connection: Connection, tables: Iterable[Table]) -> dict[str, set[str]]:
    """The columns of each of ``tables`` that the database holds (a registry may declare a column
    its database lacks: a bridge uninstalled while both its modules stay adds it back)."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    return {table.name: {column["name"] for column in inspector.get_columns(table.name)}
            for table in tables if table.name in existing}
