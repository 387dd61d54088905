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
    """Walk the chain up to its head; return (records checked, first break or ``None`` when intact).

    The head is read first and the walk stops at its ``seq``, so records committed while the walk
    runs are left for the next one instead of looking like a broken head. A break is a record
    whose hash does not match its content (``changed``), whose ``prev_hash`` is not the previous
    record's hash (``relinked``), a gap in ``seq`` (``missing``), a record outside the chain's
    numbering (``outside``), or a head that does not point at the last record (``head``)."""
    head = connection.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == HEAD_ID)).first()
    head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    stray = connection.execute(select(LOG.c.seq, LOG.c.id).where(LOG.c.seq < 1).limit(1)).first()
    if stray is not None:
        return 0, ChainBreak(stray.seq, stray.id, "outside")
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    while expected_seq <= head_seq:
        rows = connection.execute(select(LOG).where(LOG.c.seq >= expected_seq, LOG.c.seq <= head_seq)
                                  .order_by(LOG.c.seq).limit(BATCH)).all()
        for row in rows:
            problem = _problem(row._mapping, expected_seq, prev_hash)
            if problem:
                return checked, ChainBreak(row.seq, row.id, problem)
            expected_seq, prev_hash, checked = expected_seq + 1, row.hash, checked + 1
        if len(rows) < BATCH:
            break
    if (expected_seq - 1, prev_hash) != (head_seq, head_hash):
        return checked, ChainBreak(expected_seq, None, "head")
    return checked, None


def _problem(row, expected_seq: int, prev_hash: str) -> str | None:
    if row["seq"] != expected_seq:
        return "missing"
    if row["prev_hash"] != prev_hash:
        return "relinked"
    if row_hash(row, prev_hash) != row["hash"]:
        return "changed"
    return None
