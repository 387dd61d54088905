"""``GET /api/v1/<model>``: a page of records with filter, order, offset or keyset cursor, and a total.

Two SELECTs for the page, the ids in order then the rows (to-many fields asked for are loaded
with one more SELECT each, whatever the number of rows), plus one for the total when the client
asks for it:

- ``exact``: ``count(*)`` over the filter;
- ``estimated``: on PostgreSQL the planner's row estimate of the same query (``EXPLAIN``, cheap
  at any size, approximate); on SQLite, which has no planner estimate, an exact count capped at
  :data:`ESTIMATE_CAP` rows (``total_relation`` says ``gte`` when the cap was reached);
- ``none``: no count at all.

A cursor is opaque to clients: URL-safe base64 of JSON holding the order and the last row's
order values and id. The next page continues strictly after that row (keyset pagination), so
deep pages cost what the first one costs. Keyset order terms must be the model's own fields.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import ClauseElement, Executable

from loom.kernel import access
from loom.kernel.api.errors import MalformedRequestError
from loom.kernel.errors import InvalidFieldError
from loom.kernel.jsonable import jsonable
from loom.kernel.keyset import Key, rows_after
from loom.kernel.records import Records

#: Above this many rows SQLite's "estimated" total stops counting.
ESTIMATE_CAP = 10_000
TOTALS = ("exact", "estimated", "none")
_TO_MANY = ("one2many", "many2many")


@dataclass(frozen=True)
class Page:
    """What the client asked for."""

    domain: list
    order: str
    limit: int
    offset: int
    cursor: str | None
    fields: list[str] | None
    total: str


def list_page(records: Records, page: Page) -> dict[str, Any]:
    """The page's records (plain dicts), its total and the cursor of the next page."""
    names = field_names(records, page.fields)
    stmt = records.select(page.domain, order=page.order)
    keys = _order_keys(records, page.order) if page.cursor is not None or page.offset == 0 else None
    if page.cursor is not None:
        stmt = stmt.where(_after(records, keys or [], _decode(page.cursor, page.order, records, keys or [])))
    elif page.offset:
        stmt = stmt.offset(page.offset)
    rows = _rows(records, stmt.limit(page.limit), [n for n in names if records.fields[n].kind in _TO_MANY])
    body: dict[str, Any] = {"records": records.read(rows, names)}
    if page.total != "none":
        body["total"], body["total_relation"] = _total(records, page)
    body["next_cursor"] = _encode(page.order, keys, rows[-1]) if keys is not None and len(rows) == page.limit else None
    return body


def _rows(records: Records, stmt: Any, to_many: list[str]) -> list[Any]:
    """The page's rows: first their ids (the sort carries only the order columns and the id), then the
    rows by id. Sorting whole rows costs much more: PostgreSQL projects every column of every
    matching row before a top-N sort (3x slower over 100,000 partners ordered by name)."""
    session, cls = records.env.session, records.cls
    ids = list(session.scalars(stmt.with_only_columns(cls.id, maintain_column_froms=True)))
    if not ids:
        return []
    found = {row.id: row for row in session.scalars(
        select(cls).where(cls.id.in_(ids)).options(*(selectinload(getattr(cls, n)) for n in to_many)))}
    return [found[i] for i in ids]


def field_names(records: Records, asked: list[str] | None) -> list[str]:
    """The fields a client asked for (400 ``invalid_field`` naming an unknown one), or by default every
    stored field the user may read."""
    if asked is None:
        return [n for n, info in records.fields.items()
                if info.kind not in _TO_MANY and access.field_readable(records.env, records.model, n)]
    for name in asked:
        if name not in records.fields:
            raise InvalidFieldError("kernel.api_field_unknown", field=name[:60], model=records.model)
    return asked


# -- keyset ---------------------------------------------------------------------------------------

def _order_keys(records: Records, order: str) -> list[tuple[str, str, str]] | None:
    """``(field, direction, nulls)`` per term plus ``id``, or None when a term is a dotted path."""
    keys = []
    for term in (t for t in order.split(",") if t.strip()):
        name, *words = term.split()
        if "." in name:
            return None
        words = [w.lower() for w in words]
        direction = "desc" if "desc" in words else "asc"
        nulls = words[-1] if "nulls" in words else ("first" if direction == "desc" else "last")
        keys.append((name, direction, nulls))
    if all(name != "id" for name, _, _ in keys):
        keys.append(("id", "asc", "last"))
    return keys


def _after(records: Records, keys: list[tuple[str, str, str]], values: list[Any]) -> Any:
    """Rows strictly after ``values`` in the order of ``keys`` (:func:`loom.kernel.keyset.rows_after`)."""
    order = [Key(name, direction == "desc", nulls == "first") for name, direction, nulls in keys]
    return rows_after(records.cls, order, values)


def _encode(order: str, keys: list[tuple[str, str, str]], last: Any) -> str:
    state = {"o": order, "v": [jsonable(getattr(last, name)) for name, _, _ in keys]}
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, order: str, records: Records, keys: list[tuple[str, str, str]]) -> list[Any]:
    if not keys:
        raise MalformedRequestError("kernel.api_cursor_order_unsupported", field="order", order=order[:60])
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(state, dict) or state["o"] != order or not isinstance(state["v"], list) \
                or len(state["v"]) != len(keys):
            raise ValueError(order)
        return [_revive(records.fields[name].kind, value) for (name, _, _), value in zip(keys, state["v"], strict=True)]
    except (ValueError, KeyError, TypeError, InvalidOperation, binascii.Error):
        raise MalformedRequestError("kernel.api_cursor_invalid", field="cursor", order=order[:60]) from None


_INT64 = 2**63
_DECIMAL_EXPONENT = 100  # no column holds a number beyond 10**100: such a cursor was not ours


def _revive(kind: str, value: Any) -> Any:
    """The order value of a cursor as its column's type; ``ValueError`` for any value of the wrong
    type or beyond what the column can hold (a cursor was tampered with: 400, never a database error)."""
    if value is None:
        return None
    if kind in ("integer", "many2one"):
        if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
            raise ValueError(kind)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(kind)
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError(kind)
    value.encode("utf-8")  # a lone surrogate cannot be sent to the database
    if kind in ("decimal", "money", "quantity"):
        number = Decimal(value)
        if not number.is_finite() or abs(number.adjusted()) > _DECIMAL_EXPONENT:
            raise ValueError(kind)
        return number
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind in ("string", "text", "selection"):
        return value
    raise ValueError(kind)


# -- totals ---------------------------------------------------------------------------------------

def _total(records: Records, page: Page) -> tuple[int, str]:
    if page.total == "exact":
        return records.count(page.domain), "eq"
    stmt = records.select(page.domain).order_by(None)
    session = records.env.session
    if session.get_bind().dialect.name == "postgresql":
        plan = session.execute(_Explain(stmt)).scalar_one()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"]), "estimate"
    capped = session.scalar(select(func.count()).select_from(stmt.limit(ESTIMATE_CAP + 1).subquery())) or 0
    return (ESTIMATE_CAP, "gte") if capped > ESTIMATE_CAP else (capped, "eq")


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <select>`` with the select's own bound parameters (PostgreSQL)."""

    inherit_cache = False

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt


@compiles(_Explain, "postgresql")
def _explain_postgresql(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)
