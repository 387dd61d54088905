"""Deliver one relayed event to every consumer of its topic, each once in effect.

Each consumer runs in its own unit of work that first writes its receipt (``loom.processed_event``,
unique per consumer and event id, ``INSERT ... ON CONFLICT DO NOTHING``): when the receipt was
already there the consumer is skipped, so a redelivered event has no second effect, and a
concurrent duplicate waits on the receipt's unique key, then skips. When every consumer is done
the event is ``delivered``; when one raises, the event is ``pending`` again after the policy's
backoff, or ``dead`` after its last attempt, with the error kept in ``last_error``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from loom.kernel.db import run_unit_of_work
from loom.kernel.outbox.consumers import EventConsumer, consumers_by_topic
from loom.kernel.outbox.event import Event
from loom.kernel.outbox.policy import RetryPolicy

log = logging.getLogger(__name__)
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_ERROR_LENGTH = 2000


def deliver(engine: Engine, registry: Any, event: Event, policy: RetryPolicy) -> bool:
    """Run the consumers of ``event`` and record the outcome; True when it was delivered.

    The last consumer's transaction also marks the event delivered (one transaction per consumer)."""
    consumers = consumers_by_topic(registry).get(event.topic, [])
    if not consumers:
        run_unit_of_work(engine, lambda session: _mark_delivered(registry, session, event))
        return True
    for position, consumer in enumerate(consumers, start=1):
        last = position == len(consumers)
        try:
            run_unit_of_work(engine, lambda session, c=consumer, done=last: _consume(
                registry, session, c, event, policy, done))
        except Exception as exc:  # noqa: BLE001 - any consumer failure is recorded on the event and retried
            _fail(engine, registry, event, policy, f"{consumer.name}: {type(exc).__name__}: {exc}")
            return False
    return True


def _fail(engine: Engine, registry: Any, event: Event, policy: RetryPolicy, error: str) -> None:
    """Record a failed attempt; a dead event is logged as an error (the alert)."""
    log.warning("outbox: event %s (%s) failed on attempt %d: %s", event.event_id, event.topic, event.attempts, error)
    run_unit_of_work(engine, lambda session: _record_failure(registry, session, event, policy, error))
    if event.attempts >= policy.max_attempts:
        log.error("outbox: event %s (%s) is dead after %d attempts: %s; `loom worker retry %s` requeues it",
                  event.event_id, event.topic, event.attempts, error, event.event_id)


def _consume(registry: Any, session: Session, consumer: EventConsumer, event: Event, policy: RetryPolicy,
             last: bool) -> None:
    from loom.kernel.environment import Environment

    table = registry["loom.processed_event"].__table__
    insert = _INSERTS[session.get_bind().dialect.name]
    receipt = session.execute(insert(table).values(consumer=consumer.name, event_id=event.event_id,
                                                   processed_at=policy.clock())
                              .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
                              .returning(table.c.id)).first()  # psycopg reports rowcount -1 here
    if receipt is not None:
        consumer.handle(Environment(registry, session, su=True, company_id=event.company_id), event)
        session.flush()
    if last:
        _mark_delivered(registry, session, event)


def _mark_delivered(registry: Any, session: Session, event: Event) -> None:
    table = registry["loom.outbox_event"].__table__
    session.execute(update(table).where(table.c.event_id == event.event_id, table.c.state == "relayed")
                    .values(state="delivered", last_error=None))


def _record_failure(registry: Any, session: Session, event: Event, policy: RetryPolicy, error: str) -> None:
    table = registry["loom.outbox_event"].__table__
    dead = event.attempts >= policy.max_attempts
    session.execute(update(table).where(table.c.event_id == event.event_id, table.c.state == "relayed")
                    .values(state="dead" if dead else "pending", last_error=error[:_ERROR_LENGTH],
                            next_attempt_at=policy.clock() + policy.backoff(event.attempts)))
