"""SQL functions written differently on SQLite and PostgreSQL: "contains", ASCII lowering, date parts."""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Contains(FunctionElement):
    """Whether ``needle`` occurs in ``haystack``, taken literally and case-sensitively (NULL when
    ``haystack`` is NULL). SQLite: ``instr(...) > 0``. PostgreSQL: ``LIKE`` with the needle's ``%``,
    ``_`` and ``\\`` escaped, so a pg_trgm GIN index over the haystack can answer it (base indexes
    partner names that way); ``strpos`` would read every row."""

    type = Boolean()
    inherit_cache = True


@compiles(_Contains)
def _contains_sqlite(element: _Contains, compiler: Any, **kw: Any) -> str:
    return f"(instr({compiler.process(element.clauses, **kw)}) > 0)"


@compiles(_Contains, "postgresql")
def _contains_postgresql(element: _Contains, compiler: Any, **kw: Any) -> str:
    haystack, needle = (compiler.process(clause, **kw) for clause in element.clauses.clauses)
    escaped = needle
    for char in (92, 37, 95):  # backslash first, then % and _ (chr() keeps '%' out of the SQL text)
        escaped = f"replace({escaped}, chr({char}), chr(92) || chr({char}))"
    return f"({haystack} LIKE (chr(37) || {escaped} || chr(37)))"


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
