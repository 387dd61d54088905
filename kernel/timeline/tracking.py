"""Tracked fields: changes to them through ``Records.write`` go to the record's timeline.

A model declares them as data, merged across the module's extensions::

    class Order(Model):
        __model__ = "sales.order"
        __tracked__ = ("amount_total", "partner_id")

(a column may also say ``info={"tracked": True}``). ``Records.write`` takes a :func:`snapshot` of
the tracked values before it assigns and calls :func:`log_changes` after its flush: one ``change``
event per record whose tracked values differ, all in one INSERT, with ``{field: [old, new]}``.

Writing a line changes its parent's stored computed fields (an order's total), so a line's write
also tracks those parents. Writes nest (an order's write updates its lines through the lines'
own write): snapshots still open in the session are moved on to the values just logged, so an
outer write never logs a change an inner one already logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from loom.kernel.errors import ConfigurationError
from loom.kernel.jsonable import jsonable
from loom.kernel.timeline.events import log_events

if TYPE_CHECKING:
    from loom.kernel.records import Records
    from loom.kernel.registry import Registry

_TRACKABLE = frozenset({"integer", "string", "text", "boolean", "decimal", "date", "datetime", "selection",
                        "many2one"})
_cache: WeakKeyDictionary[Registry, dict[str, tuple[str, ...]]] = WeakKeyDictionary()
#: Snapshots taken and not yet logged, per session (writes nest; see the module docstring).
_open: WeakKeyDictionary[Any, list[Snapshot]] = WeakKeyDictionary()
Snapshot = list[tuple[str, dict[int, tuple[Any, tuple]]]]


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


def snapshot(records: Records, rows: list[Any]) -> Snapshot | None:
    """Tracked values before a write: of ``rows`` and of the parents whose stored computed fields
    follow them (an order whose total follows its lines). None when nothing is tracked."""
    registry = records.env.registry
    taken = []
    names = tracked_fields(registry, records.model)
    if names:
        taken.append((records.model, {row.id: (row, _values(row, names)) for row in rows}))
    for parent_model, inverse, _one2many in registry.computed_parents(records.model):
        names = tracked_fields(registry, parent_model)
        if names:
            link = records.fields[inverse].relationship
            parents = [p for p in (getattr(row, link) for row in rows) if p is not None]
            taken.append((parent_model, {p.id: (p, _values(p, names)) for p in parents}))
    if not taken:
        return None
    _open.setdefault(records.env.session, []).append(taken)
    return taken


def log_changes(records: Records, before: Snapshot | None) -> None:
    """Log one ``change`` event per record whose tracked values differ from ``before`` (one INSERT
    per model: the written one and, for lines, their parents)."""
    for model, taken in before or ():
        names = tracked_fields(records.env.registry, model)
        ids, values = [], []
        for record_id, (record, old) in taken.items():
            changes = {n: [jsonable(o), jsonable(v)] for n, o, v in zip(names, old, _values(record, names), strict=True)
                       if o != v}
            if changes:
                ids.append(record_id)
                values.append({"changes": changes})
        log_events(records.env, model, ids, "change", values=values)
        _move_on(records.env.session, before, model, names, ids)
    still_open = _open.get(records.env.session, [])
    still_open[:] = [taken for taken in still_open if taken is not before]


def _move_on(session: Any, logged: Snapshot, model: str, names: tuple[str, ...], ids: list[int]) -> None:
    """Give the other open snapshots of ``model`` the values just logged for ``ids``."""
    for other in _open.get(session, []):
        if other is logged:
            continue
        for other_model, taken in other:
            if other_model != model:
                continue
            for record_id in set(ids) & taken.keys():
                record = taken[record_id][0]
                taken[record_id] = (record, _values(record, names))


def _values(record: Any, names: tuple[str, ...]) -> tuple:
    return tuple(getattr(record, n) for n in names)
