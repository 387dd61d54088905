"""SQL functions written differently on SQLite and PostgreSQL: substring position, ASCII lowering, date parts."""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Position(FunctionElement):
    """Where ``needle`` first occurs in ``haystack``, 1-based, 0 when absent (case-sensitive)."""

    type = Integer()
    inherit_cache = True


@compiles(_Position)
def _position_sqlite(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _position_postgresql(element: _Position, compiler: Any, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


class _AsciiLower(FunctionElement):
    """The text with ASCII ``A-Z`` lowered and every other character unchanged."""

    type = String()
    inherit_cache = True


@compiles(_AsciiLower)
def _ascii_lower_sqlite(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"  # SQLite's lower() is ASCII-only


@compiles(_AsciiLower, "postgresql")
def _ascii_lower_postgresql(element: _AsciiLower, compiler: Any, **kw: Any) -> str:
    letters = f"'{string.ascii_uppercase}', '{string.ascii_lowercase}'"
    return f"translate({compiler.process(element.clauses, **kw)}, {letters})"


class _DatePart(FunctionElement):
    """A date or UTC datetime as text: ``strftime`` on SQLite, ``to_char`` on PostgreSQL."""

    type = String()
    inherit_cache = True
    formats = ("", "")


class _Year(_DatePart):
    inherit_cache = True
    formats = ("%Y", "YYYY")


class _Month(_DatePart):
    inherit_cache = True
    formats = ("%Y-%m", "YYYY-MM")


class _Day(_DatePart):
    inherit_cache = True
    formats = ("%Y-%m-%d", "YYYY-MM-DD")


_DATE_PARTS = {"year": _Year, "month": _Month, "day": _Day}


@compiles(_DatePart)
def _date_part_sqlite(element: _DatePart, compiler: Any, **kw: Any) -> str:
    return f"strftime('{element.formats[0]}', {compiler.process(element.clauses, **kw)})"


@compiles(_DatePart, "postgresql")
def _date_part_postgresql(element: _DatePart, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    if getattr(element.clauses.clauses[0].type, "timezone", False):
        value = f"({value}) AT TIME ZONE 'UTC'"
    return f"to_char({value}, '{element.formats[1]}')"
