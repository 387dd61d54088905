"""Tracked fields: changes to them through ``Records.write`` go to the record's timeline.

A model declares them as data, merged across the module's extensions::

    class Order(Model):
        __model__ = "sales.order"
        __tracked__ = ("amount_total", "partner_id")

(a column may also say ``info={"tracked": True}``). ``Records.write`` takes a :func:`snapshot` of
the tracked values before it assigns and calls :func:`log_changes` after its flush: one ``change``
event per record whose tracked values differ, all in one INSERT, with ``{field: [old, new]}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from loom.kernel.errors import ConfigurationError
from loom.kernel.timeline.events import log_events

if TYPE_CHECKING:
    from loom.kernel.records import Records
    from loom.kernel.registry import Registry

_TRACKABLE = frozenset({"integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
                        "many2one"})
_cache: WeakKeyDictionary[Registry, dict[str, tuple[str, ...]]] = WeakKeyDictionary()


def tracked_fields(registry: Registry, model: str) -> tuple[str, ...]:
    """The tracked fields of ``model``: every part's ``__tracked__`` plus columns marked ``tracked``."""
    per_model = _cache.setdefault(registry, {})
    if model not in per_model:
        per_model[model] = _collect(registry, model)
    return per_model[model]


def _collect(registry: Registry, model: str) -> tuple[str, ...]:
    fields = registry.fields(model)
    names: dict[str, None] = {}
    for part in reversed(registry[model].__mro__):
        names.update(dict.fromkeys(part.__dict__.get("__tracked__", ())))
    names.update(dict.fromkeys(n for n, info in fields.items() if info.extra.get("tracked")))
    for name in names:
        info = fields.get(name)
        if info is None or not info.stored or info.kind not in _TRACKABLE:
            raise ConfigurationError("kernel.tracked_field_invalid", model=model, field=name)
    return tuple(names)


def snapshot(records: Records, rows: list[Any]) -> dict[int, tuple] | None:
    """The tracked values of ``rows`` before a write (None when the model tracks nothing)."""
    names = tracked_fields(records.env.registry, records.model)
    if not names:
        return None
    return {row.id: tuple(getattr(row, n) for n in names) for row in rows}


def log_changes(records: Records, rows: list[Any], before: dict[int, tuple] | None) -> None:
    """Log one ``change`` event per row whose tracked values differ from ``before``."""
    if before is None:
        return
    names = tracked_fields(records.env.registry, records.model)
    ids, values = [], []
    for row in rows:
        old = before[row.id]
        new = tuple(getattr(row, n) for n in names)
        changes = {n: [_plain(o), _plain(v)] for n, o, v in zip(names, old, new, strict=True) if o != v}
        if changes:
            ids.append(row.id)
            values.append({"changes": changes})
    log_events(records.env, records.model, ids, "change", values=values)


def _plain(value: Any) -> Any:
    """A JSON value for the timeline: decimals as exact text, dates as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
