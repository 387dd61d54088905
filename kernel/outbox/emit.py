"""Write outbox events in the caller's transaction: they exist exactly when the business change does."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from loom.kernel.db import lock_for_update
from loom.kernel.errors import ValidationError
from loom.kernel.outbox.policy import utc_now

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

#: Topics are dotted lower-case names: ``alpha.order.confirmed``, ``mail.send``.
TOPIC = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
#: Rows per INSERT statement (12 parameters a row stays under every backend's parameter limit).
CHUNK = 1000


def emit(env: Environment, topic: str, payloads: Iterable[Any], *, model: str | None,
         ids: Sequence[int | None]) -> list[str]:
    """Write one event of ``topic`` per record ``ids`` of ``model`` with the matching payload.

    Runs in the caller's transaction (one multi-row INSERT per 1,000 events): rolled back with it,
    delivered after it commits. ``model=None`` (with ids of None) writes events that belong to no
    record and so are delivered in no particular order. Payloads are JSON values; decimals, dates
    and UUIDs become strings. Returns the new event ids, in the order of ``ids``.
    """
    payloads = [_jsonable(topic, payload) for payload in payloads]
    ids = list(ids)
    _check(env, topic, payloads, model, ids)
    now = utc_now()
    rows = [{"event_id": str(uuid.uuid4()), "topic": topic, "aggregate_model": model, "aggregate_id": record_id,
             "payload": payload, "created_at": now, "state": "pending", "attempts": 0, "next_attempt_at": now,
             "company_id": env.company_id} for record_id, payload in zip(ids, payloads, strict=True)]
    _lock_records(env, model, ids)
    table = env.registry["loom.outbox_event"].__table__
    for start in range(0, len(rows), CHUNK):
        env.session.execute(insert(table).values(rows[start:start + CHUNK]))
    return [row["event_id"] for row in rows]


def _lock_records(env: Environment, model: str | None, ids: list[int | None]) -> None:
    """Lock the records the events are about (key order), so two transactions emitting about one
    record write their events in commit order: the relay never sees a later event of a record while
    an earlier one is still uncommitted (ids come from a sequence at insert, not at commit)."""
    wanted = sorted({i for i in ids if i is not None})
    if model is None or not wanted or model not in env.registry:
        return
    cls = env.registry[model]
    for start in range(0, len(wanted), CHUNK):
        env.session.execute(lock_for_update(select(cls.id).where(cls.id.in_(wanted[start:start + CHUNK]))
                                            .order_by(cls.id)))


def _check(env: Environment, topic: str, payloads: list[Any], model: str | None, ids: list[int | None]) -> None:
    if not isinstance(topic, str) or len(topic) > 100 or not TOPIC.match(topic):
        raise ValidationError("kernel.outbox_topic_invalid", field="topic", topic=str(topic)[:120])
    if len(payloads) != len(ids):
        raise ValidationError("kernel.outbox_payload_count", field="payloads", topic=topic,
                              payloads=len(payloads), ids=len(ids))
    if model is not None and model not in env.registry:
        raise ValidationError("kernel.outbox_model_unknown", field="model", topic=topic, model=model)
    if model is not None and any(not isinstance(record_id, int) for record_id in ids):
        raise ValidationError("kernel.outbox_ids_invalid", field="ids", topic=topic, model=model)


def _jsonable(topic: str, payload: Any) -> Any:
    try:
        return json.loads(json.dumps(payload, default=_convert))
    except (TypeError, ValueError) as exc:
        raise ValidationError("kernel.outbox_payload_not_json", field="payloads", topic=topic,
                              problem=str(exc)) from None


def _convert(value: Any) -> str:
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value")
