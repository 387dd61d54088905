"""Kernel models of the transactional outbox and the worker's bookkeeping.

An :class:`OutboxEvent` is written in the business transaction (``loom.kernel.outbox.emit``) and
leaves through ``loom worker`` after commit; a :class:`ProcessedEvent` is the receipt a consumer
writes in its own transaction, so a redelivered event has no second effect.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Index, Model, Unique

#: The life of an event: written, handed to the job queue, delivered to every consumer, or given up.
EVENT_STATES = ("pending", "relayed", "delivered", "dead")
#: The states in which an event still has to be delivered (and blocks later events of its aggregate).
OPEN = "state IN ('pending', 'relayed')"


class OutboxEvent(Model):
    """A business event waiting to leave, or that left, after its transaction committed.

    ``aggregate_model``/``aggregate_id`` name the record the event is about: events of one record
    are delivered in the order they were written. ``next_attempt_at`` is when a pending event is
    due, or when a relayed one's lease runs out (its worker is presumed dead and it is relayed
    again). ``attempts`` counts hand-outs to the job queue; after the configured maximum a failing
    event is ``dead`` and waits for ``loom worker retry``."""

    __model__ = "loom.outbox_event"
    __managed__ = True
    __company__ = "optional"
    __rec_name__ = "event_id"
    __indexes__ = (
        Unique("event_id"),
        Index("aggregate_model", "aggregate_id", "id", where=OPEN, name="ix_loom_outbox_event_open_aggregate"),
        Index("next_attempt_at", where=OPEN, name="ix_loom_outbox_event_due"),
        Index("state"),
    )

    event_id: Mapped[str] = mapped_column(String(36))
    topic: Mapped[str] = mapped_column(String(100))
    aggregate_model: Mapped[str | None] = mapped_column(String(100))
    aggregate_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[object] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending",
                                       info={"selection": EVENT_STATES})
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class ProcessedEvent(Model):
    """The receipt of one event by one consumer, written in the consumer's own transaction.

    Its unique key makes a consumer's effect exactly-once even though delivery is at-least-once."""

    __model__ = "loom.processed_event"
    __managed__ = True
    __rec_name__ = "event_id"
    __indexes__ = (Unique("consumer", "event_id"),)

    consumer: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str] = mapped_column(String(36))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (OutboxEvent, ProcessedEvent)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
