"""Write timeline events: one multi-row INSERT for a whole batch, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert

from loom.kernel.errors import ValidationError
from loom.kernel.models.workflow import EVENT_KINDS

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Columns a caller may fill through ``values`` (the rest are set by the kernel).
EVENT_FIELDS = ("transition", "from_state", "to_state", "decision", "reason", "changes", "body",
                "due_date", "assignee_id")


def now() -> dt.datetime:
    """The current time in UTC: every timeline time is stored in UTC."""
    return dt.datetime.now(dt.UTC)


def log_events(env: Environment, model: str, ids: Sequence[int], kind: str, *, body: str | None = None,
               values: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> None:
    """Add one ``kind`` event per record of ``model`` in ``ids``, as the environment's user, now.

    ``values`` holds further columns (:data:`EVENT_FIELDS`): one mapping for every event, or a
    sequence of mappings aligned with ``ids``. All rows go in one INSERT (an executemany) in the
    caller's transaction, so they roll back with it. No access check: callers are kernel services
    and modules that already checked the records (read them with :func:`timeline`).
    """
    if kind not in EVENT_KINDS:
        raise ValidationError("kernel.timeline_kind_unknown", field="kind", kind=kind, kinds=", ".join(EVENT_KINDS))
    ids = list(ids)
    if not ids:
        return
    per_row = [dict(values or {})] * len(ids) if values is None or isinstance(values, Mapping) else list(values)
    if len(per_row) != len(ids):
        raise ValidationError("kernel.timeline_values_misaligned", field="values", ids=len(ids), values=len(per_row))
    columns = {name for extra in per_row for name in extra}
    unknown = columns - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError("kernel.timeline_field_unknown", field=sorted(unknown)[0])
    base = {"model": model, "kind": kind, "user_id": env.uid, "at": now(), **dict.fromkeys(columns)}
    if body is not None:
        base["body"] = body
    rows = [{**base, **extra, "res_id": res_id} for res_id, extra in zip(ids, per_row, strict=True)]
    table = env.registry["loom.record_event"].__table__
    env.session.execute(insert(table), rows)
