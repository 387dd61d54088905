"""Read a record's timeline, in time order, after checking the user may read the record itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from loom.kernel import access

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: The keys of each event :func:`timeline` returns.
COLUMNS = ("id", "kind", "at", "transition", "from_state", "to_state", "decision", "reason", "changes",
           "body", "due_date", "done", "done_at")


def timeline(env: Environment, model: str, res_id: int) -> list[dict[str, Any]]:
    """Every event of record ``res_id`` of ``model``, oldest first, as plain dicts.

    ``MissingError`` when the record does not exist or the user may not read it (the same
    answer for both). Each dict has :data:`COLUMNS` plus ``who`` and ``assignee`` (logins).
    """
    env[model].get(res_id)
    event = env.registry["loom.record_event"]
    user = env.registry["loom.user"]
    who, assignee = aliased(user), aliased(user)
    stmt = (select(*(getattr(event, c) for c in COLUMNS), who.login.label("who"), assignee.login.label("assignee"))
            .outerjoin(who, who.id == event.user_id).outerjoin(assignee, assignee.id == event.assignee_id)
            .where(event.model == model, event.res_id == res_id).order_by(event.at, event.id))
    events = [dict(row._mapping) for row in env.session.execute(stmt)]
    for event_row in events:  # a change to a field restricted to other roles is not shown
        if event_row.get("changes"):
            event_row["changes"] = {name: change for name, change in event_row["changes"].items()
                                    if name not in env.registry.fields(model)
                                    or access.field_readable(env, model, name)}
    return events
