"""What waits for approval: the open requests of each waiting document's current step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from loom.kernel import access

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

CHUNK = 1000


def approval_inbox(env: Environment, model: str | None = None, *, everyone: bool = False) -> list[dict[str, Any]]:
    """Open requests at the current step of documents waiting for approval, oldest first.

    By default only those the user may decide (they hold the role and did not ask); with
    ``everyone``, or for the superuser without a user (who decides nothing), all of them. Either
    way only documents the user may read are listed."""
    request = env.registry["loom.approval_request"]
    role, user = env.registry["loom.role"], aliased(env.registry["loom.user"])
    decision = env.registry["loom.approval_decision"]
    pending = request.status == "pending"
    step = (select(request.model, request.res_id, func.min(request.sequence).label("step"))
            .where(pending).group_by(request.model, request.res_id).subquery())
    given = (select(func.count()).where(decision.request_id == request.id, decision.decision == "approve")
             .correlate(request).scalar_subquery())
    stmt = (select(request.id, request.model, request.res_id, request.transition, request.from_state,
                   request.sequence, request.approvers, request.requested_at, role.code.label("role"),
                   user.login.label("requested_by"), given.label("approvals"))
            .join(step, and_(step.c.model == request.model, step.c.res_id == request.res_id,
                             step.c.step == request.sequence))
            .join(role, role.id == request.role_id).outerjoin(user, user.id == request.requested_by_id)
            .where(pending).order_by(request.requested_at, request.id))
    if model:
        stmt = stmt.where(request.model == model)
    if not everyone and env.uid is not None:
        stmt = stmt.where(request.role_id.in_(env.grants.role_ids),
                          (request.requested_by_id != env.uid) | request.requested_by_id.is_(None))
    rows = [dict(row._mapping) for row in env.session.execute(stmt)]
    return _readable(env, rows)


def _readable(env: Environment, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the rows whose document the user may read, and name each document (one query per model)."""
    names: dict[tuple[str, int], str] = {}
    for model in {row["model"] for row in rows}:
        if model not in env.registry or not access.may(env, model, "read"):
            continue
        ids = sorted({row["res_id"] for row in rows if row["model"] == model})
        for start in range(0, len(ids), CHUNK):  # the domain language takes at most 1,000 values in a list
            for record in env[model].search([["id", "in", ids[start:start + CHUNK]]], active_test=False):
                names[(model, record.id)] = record.display_name()
    return [{**row, "record": names[(row["model"], row["res_id"])]} for row in rows
            if (row["model"], row["res_id"]) in names]
