"""The event a consumer receives: what happened, to which record, and how often it was handed out."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One outbox event as consumers see it.

    ``event_id`` is the same on every delivery of the event (consumers deduplicate on it);
    ``attempts`` is 1 on the first hand-out, 2 on the first retry, and so on."""

    event_id: str
    topic: str
    model: str | None
    record_id: int | None
    payload: Any
    company_id: int | None
    attempts: int

    def as_message(self) -> dict[str, Any]:
        """The plain dict carried by the job queue."""
        return asdict(self)
