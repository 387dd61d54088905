"""``loom db copy``: move a database to another URL, across backends or on the same one.

The source is read in one snapshot (REPEATABLE READ on PostgreSQL, one read transaction on
SQLite) through the registry of its installed modules, so every value passes through its column
type (a Money amount leaves SQLite as a scaled integer and reaches PostgreSQL as NUMERIC). In one
transaction on the empty target: the models' tables are created, rows are copied in foreign-key
order, then primary-key order, in batches (foreign keys are not enforced during the copy: off on
SQLite and checked before commit; ``session_replication_role = replica`` on PostgreSQL when the
role may set it), alembic's revisions are copied, PostgreSQL sequences are set above the highest
ids, triggers and views are created, and every table's row count and content hash are compared
with the source's; any difference rolls the target back. The filestore is copied and verified last.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from loom.kernel import schema_objects
from loom.kernel.backup.database import ALEMBIC, installed, is_empty, registry_of
from loom.kernel.backup.digest import database_digests, present_columns
from loom.kernel.backup.filestore import copy_tree, file_digests, staged_beside, swap_in
from loom.kernel.backup.verify import differences, file_differences, require_equal
from loom.kernel.db import create_engine, migration_connection
from loom.kernel.errors import UserError
from loom.kernel.paths import filestore_root

#: Rows per INSERT batch.
BATCH = 5000

log = logging.getLogger(__name__)


@dataclass
class CopyReport:
    """What a copy moved: per-table digests (equal on both sides), files, and how long it took."""

    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """Rows copied in every table together."""
        return sum(table["rows"] for table in self.tables.values())


def copy_database(source_url: str, target_url: str, *, roots: Iterable[str] = ()) -> CopyReport:
    """Copy the database at ``source_url`` and its filestore to the empty database at ``target_url``."""
    started = time.perf_counter()
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        report = _copy(source, target, roots)
    finally:
        source.dispose()
        target.dispose()
    report.files = _copy_filestore(source.url, target.url)
    report.seconds = time.perf_counter() - started
    return report


def _copy(source: Engine, target: Engine, roots: Iterable[str]) -> CopyReport:
    with _snapshot(source) as reader, _writer(target) as writer:
        if not is_empty(writer):
            raise UserError("kernel.copy_target_not_empty", field="target",
                            database=target.url.render_as_string(hide_password=True))
        registry = registry_of(source, installed(reader), roots)
        tables = [*registry.metadata.sorted_tables, ALEMBIC]
        columns = present_columns(reader, tables)
        registry.metadata.create_all(writer)
        ALEMBIC.create(writer)
        for table in tables:
            if table.name in columns:
                _copy_rows(reader, writer, table, columns[table.name])
        _reset_sequences(writer, registry.metadata.sorted_tables)
        schema_objects.create_all(writer, registry.schema_objects)
        expected = database_digests(reader, registry.metadata, [ALEMBIC], columns)
        copied = database_digests(writer, registry.metadata, [ALEMBIC], columns)
        require_equal("copy", differences(expected, copied))
        return CopyReport(tables=copied)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
            yield conn


@contextmanager
def _writer(engine: Engine) -> Iterator[Connection]:
    with migration_connection(engine) as conn:  # SQLite: foreign keys off, checked before commit
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
            _foreign_keys_off(conn)
        yield conn


def _foreign_keys_off(conn: Connection) -> None:
    """Stop PostgreSQL's foreign-key triggers for this transaction, when the role may (a superuser);
    otherwise rows still arrive parents first (foreign-key order, then primary-key order)."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError as exc:
        log.warning("db copy: foreign keys stay enforced on the target (%s)", exc.orig)


def _copy_rows(reader: Connection, writer: Connection, table: Table, names: set[str]) -> None:
    columns = [column for column in table.columns if column.name in names]
    stmt = select(*columns).order_by(*table.primary_key.columns)
    result = reader.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    for rows in result.partitions():
        writer.execute(insert(table), [{c.key: value for c, value in zip(columns, row, strict=True)} for row in rows])


def _reset_sequences(writer: Connection, tables: Iterable[Table]) -> None:
    """Set each PostgreSQL id sequence just above the table's highest id."""
    if writer.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement in (True, "auto"):
            sequence = writer.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
            if sequence:
                highest = writer.scalar(select(func.max(table.c.id)))
                writer.execute(text("SELECT setval(:s, :v, :called)"),
                               {"s": sequence, "v": highest or 1, "called": highest is not None})


def _copy_filestore(source_url: Any, target_url: Any) -> dict[str, str]:
    source, target = filestore_root(source_url), filestore_root(target_url)
    if not source.is_dir():
        return {}
    staged = staged_beside(target)
    staged.parent.mkdir(parents=True, exist_ok=True)
    try:
        copy_tree(source, staged)
        expected = file_digests(source)
        require_equal("filestore", file_differences(expected, file_digests(staged)))
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    swap_in(staged, target)
    return expected
