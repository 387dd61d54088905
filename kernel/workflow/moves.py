"""The set-based state change at the heart of every transition.

One guarded ``UPDATE ... SET state = :target, version = version + 1 WHERE id IN (...) AND state =
:source RETURNING id, version`` per source state (so each record's previous state is known
exactly, with a statement count that depends on the declaration, never on the batch size). When
fewer rows come back than were asked for, the first record left behind is named with its state
and the transitions allowed from there; the caller's savepoint rolls the batch back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from loom.kernel.errors import UserError

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.workflow.definition import ModelWorkflow


@contextmanager
def all_or_nothing(env: Environment, rows: Sequence[Any]) -> Iterator[None]:
    """A savepoint around a batch. When it fails, the loaded ``rows`` forget the states and
    versions that moves gave them (the savepoint's rollback restores the rows, not the objects)."""
    try:
        with env.session.begin_nested():
            yield
    except BaseException:
        for row in rows:
            env.session.expire(row)
        raise


def move(env: Environment, wf: ModelWorkflow, transition: str, rows: Sequence[Any], sources: Sequence[str],
         target: str) -> dict[int, str]:
    """Move ``rows`` from any of ``sources`` to ``target``; returns each record's previous state.

    Raises ``UserError("kernel.transition_not_allowed")`` unless every record moved. The loaded
    objects get their new state and version without a reload."""
    if not rows:
        return {}
    table = env.registry[wf.model].__table__
    state = table.c[wf.field]
    ids = [row.id for row in rows]
    previous: dict[int, str] = {}
    versions: dict[int, int] = {}
    for source in sorted(sources, key=lambda s: s != target):  # a self-loop first: never move a row twice
        remaining = [i for i in ids if i not in previous]
        if not remaining:
            break
        stmt = (update(table).where(table.c.id.in_(remaining), state == source)
                .values({wf.field: target, "version": table.c.version + 1}).returning(table.c.id, table.c.version))
        for record_id, version in env.session.execute(stmt):
            previous[record_id] = source
            versions[record_id] = version
    if len(previous) != len(ids):
        refuse(env, wf, transition, [row for row in rows if row.id not in previous])
    for row in rows:
        set_committed_value(row, wf.field, target)
        set_committed_value(row, "version", versions[row.id])
    return previous


def refuse(env: Environment, wf: ModelWorkflow, transition: str, rows: Sequence[Any]) -> None:
    """Raise the error naming the first record of ``rows``, its state and what is allowed from it."""
    cls = env.registry[wf.model]
    first = rows[0]
    current = env.session.scalar(select(getattr(cls, wf.field)).where(cls.id == first.id))
    allowed = wf.allowed_from(current)
    raise UserError("kernel.transition_not_allowed", field=wf.field, model=wf.model, record=first.display_name(),
                    id=first.id, state=current, transition=transition,
                    allowed=", ".join(allowed) or "-", others=len(rows) - 1)

