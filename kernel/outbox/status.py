"""What the outbox holds (``loom worker status``) and putting dead events back (``loom worker retry``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from loom.kernel.access import check_model
from loom.kernel.errors import MissingError
from loom.kernel.models.outbox import EVENT_STATES
from loom.kernel.outbox.policy import utc_now

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Dead events listed by ``status`` (newest first).
DEAD_SHOWN = 50


def outbox_status(env: Environment, *, dead_limit: int = DEAD_SHOWN) -> dict[str, Any]:
    """Counts per state, the age in seconds of the oldest event not yet delivered, and dead events
    with their last error (newest first, at most ``dead_limit``). Needs read access to
    ``loom.outbox_event`` (the role ``kernel.outbox_operator`` grants it)."""
    check_model(env, "loom.outbox_event", "read")
    table = env.registry["loom.outbox_event"].__table__
    counts = dict.fromkeys(EVENT_STATES, 0)
    counts.update(env.session.execute(select(table.c.state, func.count()).group_by(table.c.state)).all())
    oldest = env.session.scalar(select(func.min(table.c.created_at))
                                .where(table.c.state.in_(("pending", "relayed"))))
    dead = env.session.execute(
        select(table.c.event_id, table.c.topic, table.c.aggregate_model, table.c.aggregate_id, table.c.attempts,
               table.c.last_error).where(table.c.state == "dead").order_by(table.c.id.desc()).limit(dead_limit))
    return {"counts": counts,
            "oldest_pending_age": _age(oldest),
            "dead": [{"event_id": row.event_id, "topic": row.topic, "model": row.aggregate_model,
                      "record_id": row.aggregate_id, "attempts": row.attempts, "last_error": row.last_error}
                     for row in dead]}


def retry_events(env: Environment, event_ids: Sequence[str] = (), *, dead: bool = False) -> int:
    """Make the given events (or, with ``dead``, every dead event) pending and due now with a fresh
    count of attempts; delivered events are left alone. Returns how many were requeued. An
    unknown event id is a ``MissingError`` naming it, and nothing is requeued. Needs write access
    to ``loom.outbox_event``."""
    check_model(env, "loom.outbox_event", "write")
    if not event_ids and not dead:
        return 0
    table = env.registry["loom.outbox_event"].__table__
    if event_ids:
        known = set(env.session.scalars(select(table.c.event_id).where(table.c.event_id.in_(event_ids))))
        missing = [event_id for event_id in event_ids if event_id not in known]
        if missing:
            raise MissingError("kernel.outbox_event_missing", field="event_id", event_id=", ".join(missing))
    stmt = update(table).where(table.c.state != "delivered")
    stmt = stmt.where(table.c.event_id.in_(event_ids)) if event_ids else stmt.where(table.c.state == "dead")
    return env.session.execute(stmt.values(state="pending", attempts=0, next_attempt_at=utc_now())).rowcount


def _age(created: datetime | None) -> float | None:
    if created is None:
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return round((utc_now() - created).total_seconds(), 1)
