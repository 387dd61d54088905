"""Walking the audit chain: recompute every hash in ``seq`` order and name the first broken record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from loom.kernel.audit.chain import GENESIS, HEAD, HEAD_ID, LOG, row_hash

#: Rows read per round trip while walking the chain.
BATCH = 2000


@dataclass(frozen=True)
class ChainBreak:
    """The first record where the chain does not hold: its ``seq``, ``id`` and what is wrong."""

    seq: int
    id: int | None
    problem: str


def verify_chain(connection: Connection) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain; return (records checked, first break or ``None`` when intact).

    A break is a record whose hash does not match its content (``changed``), whose ``prev_hash``
    is not the previous record's hash (``relinked``), a gap in ``seq`` (``missing``), or a head that
    does not point at the last record (``head``)."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    while True:
        rows = connection.execute(select(LOG).where(LOG.c.seq >= expected_seq).order_by(LOG.c.seq).limit(BATCH)).all()
        for row in rows:
            problem = _problem(row._mapping, expected_seq, prev_hash)
            if problem:
                return checked, ChainBreak(row.seq, row.id, problem)
            expected_seq, prev_hash, checked = expected_seq + 1, row.hash, checked + 1
        if len(rows) < BATCH:
            break
    return checked, _head_break(connection, expected_seq - 1, prev_hash)


def _problem(row, expected_seq: int, prev_hash: str) -> str | None:
    if row["seq"] != expected_seq:
        return "missing"
    if row["prev_hash"] != prev_hash:
        return "relinked"
    if row_hash(row, prev_hash) != row["hash"]:
        return "changed"
    return None


def _head_break(connection: Connection, last_seq: int, last_hash: str) -> ChainBreak | None:
    head = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == HEAD_ID)).first()
    seq, hash_ = (head.seq, head.hash) if head is not None else (0, GENESIS)
    if (seq, hash_) == (last_seq, last_hash):
        return None
    return ChainBreak(min(seq, last_seq) + 1, None, "head")
