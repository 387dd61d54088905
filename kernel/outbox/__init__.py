"""The transactional outbox: business events written in the business transaction, delivered after commit.

``emit(env, topic, payloads, model=..., ids=...)`` writes one row per record in the caller's
transaction (one multi-row INSERT), so an event exists exactly when the business change does.
``loom worker`` relays due events to the job queue (:mod:`loom.kernel.jobs`) and runs the
consumers that modules register through ``register_event_consumers``; each consumer writes a
receipt (``loom.processed_event``) in its own transaction, so its effect happens once although
delivery is at least once. See docs/outbox-and-jobs.md.
"""

from loom.kernel.outbox.consumers import EventConsumer, consumers_by_topic
from loom.kernel.outbox.emit import emit
from loom.kernel.outbox.event import Event
from loom.kernel.outbox.policy import RetryPolicy

__all__ = ["Event", "EventConsumer", "RetryPolicy", "consumers_by_topic", "emit"]
