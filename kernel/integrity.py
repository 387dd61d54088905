"""Turn the database's integrity errors into errors that name the field.

Uniqueness rules are unique indexes (so they hold under concurrency); when one refuses a row, the
user should read "login: jack is already used", not a driver message. A flush that violates a
unique index becomes ``ValidationError("kernel.value_not_unique", field=...)``; a NOT NULL or
foreign-key violation becomes ``kernel.integrity_violation``. The transaction is left to the unit
of work, which rolls the whole action back.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError

from loom.kernel.errors import ValidationError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def translate(exc: IntegrityError, table: Table, model: str) -> ValidationError:
    """The user-facing error for ``exc`` raised while flushing rows of ``table``."""
    columns = _unique_columns(exc, table)
    if columns:
        shown = [c for c in columns if c != "company_id"] or columns
        return ValidationError("kernel.value_not_unique", field=shown[0], model=model, fields=", ".join(shown))
    return ValidationError("kernel.integrity_violation", model=model, problem=str(exc.orig).splitlines()[0][:200])


def _unique_columns(exc: IntegrityError, table: Table) -> list[str]:
    orig: Any = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if constraint:
        for index in table.indexes:
            if index.name == constraint and index.unique:
                return [c.name for c in index.columns]
        return []
    match = _SQLITE_UNIQUE.search(str(orig))
    if not match:
        return []
    return [part.split(".")[-1] for part in match.group(1).split(", ")]
