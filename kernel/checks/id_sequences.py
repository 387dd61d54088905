"""PostgreSQL id sequences sit above the highest id (a restore, a copy or rows inserted with
explicit ids can leave a sequence behind, and the next insert then fails on the primary key).

SQLite has no id sequences: a new row takes the highest rowid + 1, so the check has nothing to do
there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select, text

from loom.kernel.checks.check import Violation
from loom.kernel.checks.tables import model_of

NAME = "kernel.id_sequences"


def id_sequences(env: Any) -> Iterator[Violation]:
    """Yield one violation per table whose id sequence would hand out an id already taken."""
    connection = env.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in env.registry.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        if sequence is None:
            continue
        state = connection.execute(text(f"SELECT last_value, is_called FROM {sequence}")).one()  # a name from pg
        next_id = state.last_value + 1 if state.is_called else state.last_value
        highest = connection.scalar(select(func.max(table.c.id)))
        if highest is not None and next_id <= highest:
            yield Violation(NAME, f"the id sequence of {table.name} would give {next_id}, not above the highest "
                                  f"id {highest}: the next new record fails", [(model_of(table), highest)])
