"""Idempotency keys: the first response to a ``POST`` is kept, and a retry gets it back.

The key row is inserted (in a savepoint) *before* the work, in the business transaction, under
the unique key (user, key): a concurrent retry's insert waits on that unique index until the
first transaction ends, then either sees the committed row and replays its response, or (the
first rolled back) goes ahead itself. The response is stored at the end of the same
transaction, so a rolled-back request leaves no key behind. A key used again with another body
or path is refused with 409 ``idempotency_key_reused``. Keys are kept 24 hours
(:func:`prune_keys`, a periodic job).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from loom.kernel.api.errors import IdempotencyKeyReusedError
from loom.kernel.api.serialize import dumps

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

KEY = "loom.idempotency_key"
#: How long a key answers replays.
RETENTION = dt.timedelta(hours=24)


def once(env: Environment, key: str, fingerprint: str, work: Callable[[Environment], tuple[int, Any]]
         ) -> tuple[int, Any]:
    """The stored answer of ``key`` for this user, or ``work(env)``'s answer stored under it."""
    cls = env.registry[KEY]
    stored = _stored(env, key)
    if stored is None:
        try:
            with env.session.begin_nested():
                env.session.execute(insert(cls).values(user_id=env.uid, key=key, request_hash=fingerprint,
                                                       created_at=dt.datetime.now(dt.UTC)))
        except IntegrityError:  # a concurrent request with this key committed first
            stored = _stored(env, key)
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise IdempotencyKeyReusedError("kernel.api_idempotency_key_reused", field="Idempotency-Key", key=key)
        return stored.status, stored.response
    status, answer = work(env)
    env.session.flush()
    env.session.execute(update(cls).where(cls.user_id == env.uid, cls.key == key)
                        .values(status=status, response=dumps(answer)))
    return status, answer


def _stored(env: Environment, key: str) -> Any:
    cls = env.registry[KEY]
    return env.session.execute(select(cls.request_hash, cls.status, cls.response)
                               .where(cls.user_id == env.uid, cls.key == key)).first()


def prune_keys(env: Environment, now: dt.datetime | None = None) -> int:
    """Forget keys older than :data:`RETENTION`; returns how many (one DELETE)."""
    cls = env.registry[KEY]
    cutoff = (now or dt.datetime.now(dt.UTC)) - RETENTION
    return env.session.execute(delete(cls).where(cls.created_at < cutoff)).rowcount or 0
