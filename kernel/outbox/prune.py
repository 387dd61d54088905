"""Forget delivered history: delivered events and consumers' receipts older than the retention."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from loom.kernel.access import check_model
from loom.kernel.outbox.policy import utc_now

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Days delivered events and receipts are kept (``LOOM_OUTBOX_RETENTION_DAYS`` overrides).
RETENTION_DAYS = 30


def retention() -> timedelta:
    """How long delivered history is kept."""
    return timedelta(days=float(os.environ.get("LOOM_OUTBOX_RETENTION_DAYS") or RETENTION_DAYS))


def prune_delivered(env: Environment, older_than: timedelta | None = None) -> dict[str, int]:
    """Delete delivered events created, and receipts written, more than ``older_than`` ago (default:
    :func:`retention`); pending, relayed and dead events and their receipts are never touched (a
    retried dead event must still find the receipts of the consumers that already succeeded). Two
    statements; returns how many rows of each went. A receipt outlives any redelivery of its event
    by weeks, so a consumer's effect stays exactly-once."""
    check_model(env, "loom.outbox_event", "delete")
    cutoff = utc_now() - (older_than if older_than is not None else retention())
    events = env.registry["loom.outbox_event"].__table__
    receipts = env.registry["loom.processed_event"].__table__
    gone_events = env.session.execute(delete(events).where(events.c.state == "delivered",
                                                           events.c.created_at < cutoff)).rowcount
    still_open = select(events.c.event_id).where(events.c.state != "delivered")  # a retry must find its receipts
    gone_receipts = env.session.execute(delete(receipts).where(
        receipts.c.processed_at < cutoff, receipts.c.event_id.not_in(still_open))).rowcount
    return {"events": gone_events, "receipts": gone_receipts}
