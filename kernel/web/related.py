"""A record's one-to-many fields as small tables (an order's lines, a company's contacts), each row
linking to its own detail page, shown like a list's cells. Each table costs one query for its
rows, one per linked column and one for a money column's currency, whatever the number of lines;
a table shows at most :data:`ROWS` of them and links to the rest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from loom.kernel import access
from loom.kernel.web.display import BOOKKEEPING, SHOWN_KINDS, cells, field_label

#: Lines a related table shows (the rest are a link away).
ROWS = 50
#: Columns of a related table.
COLUMNS = 5


@dataclass(frozen=True)
class RelatedTable:
    """One one-to-many field of a record, ready to show."""

    label: str
    model: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    more_url: str | None


def related_tables(env: Any, model: str, record_id: int) -> list[RelatedTable]:
    """The readable one-to-many fields of record ``record_id`` whose lines (and their link back to
    the record) the user may read."""
    tables = []
    for name, info in env.registry.fields(model).items():
        if info.kind != "one2many" or not access.field_readable(env, model, name) \
                or not access.may(env, info.target, "read"):
            continue
        inverse = env.registry.inverse_of(model, name)
        if access.field_readable(env, info.target, inverse):
            tables.append(_table(env, info.target, inverse, record_id, field_label(name, info, model)))
    return tables


def _table(env: Any, target: str, inverse: str, record_id: int, label: str) -> RelatedTable:
    domain = [[inverse, "=", record_id]]
    lines = env[target].search(domain, limit=ROWS + 1)
    more = len(lines) > ROWS
    lines = lines[:ROWS]
    columns = _columns(env, target, inverse)
    fields = env.registry.fields(target)
    more_url = f"/m/{target}?" + urlencode({"domain": json.dumps(domain)}) if more else None
    return RelatedTable(label, target, [field_label(c, fields[c], target) for c in columns],
                        cells(env, target, lines, columns), more_url)


def _columns(env: Any, target: str, inverse: str) -> list[str]:
    """The line's name, then its first readable shown fields (not the link back to the record)."""
    fields = env.registry.fields(target)
    readable = [n for n, f in fields.items() if f.kind in SHOWN_KINDS and f.stored and n not in BOOKKEEPING
                and n != inverse and access.field_readable(env, target, n)]
    rec_name = env.registry[target].__rec_name__
    first = [rec_name] if rec_name in readable else []
    return (first + [n for n in readable if n != rec_name])[:COLUMNS]
