"""The hash chain: canonical serialization of a row, its SHA-256, and appending under the head lock.

A row's hash is ``sha256(canonical(row) + prev_hash)`` where ``canonical`` is compact JSON with
sorted keys over the row's content (``seq``, ``at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, action,
actor, company, object, before/after, details). Values are normalized to JSON before they are
hashed and stored (Decimal and dates become strings), so what is read back hashes the same.

Appending locks the one-row head table (``loom_audit_head``) ``FOR UPDATE`` on PostgreSQL: a
second writer waits until the first commits and then reads the new head, so the chain's order is
the commit order. On SQLite writers are serialized by ``BEGIN IMMEDIATE`` already.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Connection, DateTime, Integer, String, column, insert, select, table, update
from sqlalchemy.types import JSON

#: ``prev_hash`` of the first row.
GENESIS = "0" * 64
#: The head's row: the first and only row of ``loom_audit_head``.
HEAD_ID = 1

LOG = table(
    "loom_audit_log",
    column("id", Integer), column("seq", BigInteger), column("at", DateTime(timezone=True)),
    column("action", String), column("actor_id", Integer), column("actor_login", String),
    column("company_id", Integer), column("model", String), column("record_id", Integer),
    column("before", JSON), column("after", JSON), column("details", JSON),
    column("prev_hash", String), column("hash", String),
)
HEAD = table("loom_audit_head", column("id", Integer), column("seq", BigInteger), column("hash", String))

#: The columns a row's hash covers, besides ``prev_hash``.
CONTENT = ("seq", "at", "action", "actor_id", "actor_login", "company_id", "model", "record_id",
           "before", "after", "details")


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (Decimal, dates, sets and tuples converted), ``None`` kept."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"audit values must be JSON data, not {type(value).__name__}")


def utc_text(moment: dt.datetime) -> str:
    """A timestamp as it is hashed: UTC, microseconds, ``Z`` (naive values are taken as UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_hash(row: Mapping[str, Any], prev_hash: str) -> str:
    """The SHA-256 (hex) of ``row``'s canonical content followed by ``prev_hash``."""
    content = {key: row.get(key) for key in CONTENT}
    content["at"] = utc_text(content["at"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((text + prev_hash).encode()).hexdigest()


def append(connection: Connection, entry: dict[str, Any]) -> dict[str, Any]:
    """Insert ``entry`` (content columns but ``seq``) as the chain's next row; return the row written.

    Must run in the caller's write transaction: the head row stays locked until it commits."""
    seq, prev_hash = _lock_head(connection)
    row = {**entry, "seq": seq + 1, "prev_hash": prev_hash}
    row["hash"] = row_hash(row, prev_hash)
    connection.execute(insert(LOG).values(row))
    connection.execute(update(HEAD).where(HEAD.c.id == HEAD_ID).values(seq=row["seq"], hash=row["hash"]))
    return row


def _lock_head(connection: Connection) -> tuple[int, str]:
    head = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == HEAD_ID).with_for_update()).first()
    if head is None:  # a database built without the kernel migration (metadata.create_all in tests)
        connection.execute(insert(HEAD).values(seq=0, hash=GENESIS))  # the first row: id 1 (HEAD_ID)
        return 0, GENESIS
    return head.seq, head.hash
