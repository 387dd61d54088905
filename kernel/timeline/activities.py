"""Notes and scheduled activities on records: what people add to a timeline by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from loom.kernel.errors import AccessError, MissingError, UserError, ValidationError
from loom.kernel.timeline.events import log_events, now

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

MAX_TEXT = 20_000


def add_note(env: Environment, model: str, ids: Sequence[int], body: str) -> None:
    """Post the note ``body`` on each record of ``model`` in ``ids`` (the user must be able to read them)."""
    env[model].browse(list(ids))
    log_events(env, model, ids, "note", body=_text("body", body))


def add_activity(env: Environment, model: str, res_id: int, *, due: dt.date, assignee_id: int,
                 summary: str) -> int:
    """Schedule an activity on one record for ``assignee_id``, due on ``due``; returns its id.

    The user must be able to read the record; the assignee must be an active user who may work in
    the record's company."""
    record = env[model].get(res_id)
    if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
        raise ValidationError("kernel.activity_due_not_date", field="due_date", value=str(due)[:40])
    try:
        assignee = env.sudo()["loom.user"].get(assignee_id)
    except MissingError:
        raise ValidationError("kernel.activity_assignee_unknown", field="assignee_id", user=assignee_id) from None
    company = getattr(record, "company_id", None)
    if company is not None and company not in {assignee.company_id, *(c.id for c in assignee.company_ids)}:
        raise ValidationError("kernel.activity_assignee_other_company", field="assignee_id", user=assignee.login,
                              company=company)
    table = env.registry["loom.record_event"].__table__
    row = {"model": model, "res_id": res_id, "kind": "activity", "user_id": env.uid, "at": now(),
           "body": _text("summary", summary), "due_date": due, "assignee_id": assignee_id}
    return env.session.execute(insert(table).returning(table.c.id), [row]).scalar_one()


def mark_activity_done(env: Environment, activity_id: int) -> dict[str, Any]:
    """Mark activity ``activity_id`` done now: its assignee may, and so may whoever may change its
    record; others who can read the record are refused, naming the activity.

    Returns the activity's model, record id and summary. An activity already done is refused."""
    event = env.registry["loom.record_event"]
    row = env.session.execute(select(event.model, event.res_id, event.body, event.done, event.assignee_id)
                              .where(event.id == activity_id, event.kind == "activity")).first()
    if row is None:
        raise MissingError("kernel.activity_missing", activity=activity_id)
    try:
        env[row.model].get(row.res_id)
    except MissingError:
        raise MissingError("kernel.activity_missing", activity=activity_id) from None
    if not env.su and env.uid != row.assignee_id and not _may_write(env, row.model, row.res_id):
        raise AccessError("kernel.activity_not_yours", activity=activity_id, summary=row.body, user=env.login)
    if row.done:
        raise UserError("kernel.activity_already_done", activity=activity_id, summary=row.body)
    env.session.execute(update(event).where(event.id == activity_id)
                        .values(done=True, done_at=now(), version=event.version + 1))
    return {"model": row.model, "res_id": row.res_id, "summary": row.body}


def _may_write(env: Environment, model: str, res_id: int) -> bool:
    """Whether the user may change record ``res_id`` (model permission and record rules for writing)."""
    try:
        env[model].get(res_id, perm="write")
    except (AccessError, MissingError):
        return False
    return True


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("kernel.timeline_text_empty", field=field)
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ValidationError("kernel.timeline_text_invalid", field=field, limit=MAX_TEXT)
    return value
