"""Keyset pages for deep lists: the page after a record is found by comparing the list's sort key
with that record's, so page 1,000 costs what page 2 costs.

A list's order (the model's default or the one the user clicked) is keyset-ready when every term
is one of the model's own stored columns; ``id`` closes the key so it is unique. NULLs sort as the
largest value (last ascending, first descending) unless a term says ``nulls first|last``, as in
:func:`loom.kernel.domain.compile_order`, and the comparison below follows the same rule. An order
through a link (``partner_id.name``) keeps offset paging.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from loom.kernel.keyset import Key, rows_after

#: Kinds whose column is its own sort key.
KEYSET_KINDS = frozenset({"integer", "string", "text", "selection", "boolean", "decimal", "date", "datetime",
                          "many2one"})


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order: a field, its direction and where its NULLs go."""

    name: str
    descending: bool
    nulls_first: bool


def sort_keys(env: Any, model: str, order: str) -> list[SortKey] | None:
    """``order`` (``"name desc, id"``) as sort keys ending with ``id``, or None when a term is not
    one of the model's own stored columns (then the list pages by offset)."""
    fields = env.registry.fields(model)
    keys: list[SortKey] = []
    for term in (t for t in order.split(",") if t.strip()):
        name, *words = term.split()
        words = [word.lower() for word in words]
        info = fields.get(name)
        if info is None or not info.stored or info.kind not in KEYSET_KINDS or not _modifiers_known(words):
            return None
        descending = bool(words) and words[0] == "desc"
        nulls_first = words[-1] == "first" if "nulls" in words else descending
        keys.append(SortKey(name, descending, nulls_first))
    if all(key.name != "id" for key in keys):
        keys.append(SortKey("id", False, False))
    return keys


def _modifiers_known(words: list[str]) -> bool:
    """Whether ``words`` are ``[asc|desc] [nulls first|last]``."""
    rest = words[1:] if words and words[0] in ("asc", "desc") else words
    return rest in ([], ["nulls", "first"], ["nulls", "last"])


def after_clause(cls: Any, keys: list[SortKey], record: Any) -> ColumnElement[bool]:
    """The rows of ``cls`` sorted strictly after ``record`` under ``keys`` (:func:`loom.kernel.keyset.rows_after`)."""
    return rows_after(cls, [Key(k.name, k.descending, k.nulls_first) for k in keys],
                      [getattr(record, k.name) for k in keys])
