"""Approving and rejecting waiting documents, and resetting approvals when a document is edited.

Rules are approved in ``sequence`` order: only the pending requests of a document's lowest
sequence are open to approvers; rules sharing a sequence are approved in parallel. An approver
must hold the request's role (a role with ``all_access`` is not enough: approving is authority, not
permission), may not be the user who asked, and counts once per request (a unique index on
decisions), so a two-approver rule needs two different people. When a document's last request is
approved its pending transition completes; a rejection, or an edit of the document, cancels its
requests and returns it to the state it was in before it waited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from loom.kernel.db import lock_for_update
from loom.kernel.errors import AccessError, UserError, ValidationError
from loom.kernel.timeline.events import log_events, now
from loom.kernel.workflow.declaration import WAITING_APPROVAL
from loom.kernel.workflow.definition import ModelWorkflow, find_workflow, workflow_of
from loom.kernel.workflow.engine import browse_all, complete
from loom.kernel.workflow.moves import all_or_nothing, move
from loom.kernel.workflow.requests import SUBMITTING, cancel_requests

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.records import Records

MAX_REASON = 2000


def approve(env: Environment, model: str, ids: Iterable[int]) -> dict[int, str]:
    """Approve, as the environment's user, the open requests of documents ``ids`` they may approve.

    Returns per document ``"completed"`` (its transition went through) or ``"waiting"`` (more
    approvals are needed). Errors name the document and why the user may not approve it."""
    wf = workflow_of(env.registry, model)
    rows = browse_all(env, model, list(ids))
    with all_or_nothing(env, rows):
        mine = _eligible(env, wf, rows)
        _decide(env, mine, "approve", None)
        finished = _fully_approved(env, [r for reqs in mine.values() for r in reqs])
        request = env.registry["loom.approval_request"]
        if finished:
            env.session.execute(update(request).where(request.id.in_(finished)).values(status="approved"))
        still = set(env.session.scalars(select(request.res_id).where(
            request.model == model, request.res_id.in_([r.id for r in rows]), request.status == "pending")))
        log_events(env, model, [r.id for r in rows], "approval",
                   values=[{"transition": mine[r.id][0].transition, "decision": "approved"} for r in rows])
        by_transition: dict[str, list[Any]] = {}
        for row in rows:
            if row.id not in still:
                by_transition.setdefault(mine[row.id][0].transition, []).append(row)
        for name, done in by_transition.items():
            complete(env.sudo(), wf, name, done)
    return {row.id: "waiting" if row.id in still else "completed" for row in rows}


def reject(env: Environment, model: str, ids: Iterable[int], reason: str) -> None:
    """Reject documents ``ids`` with ``reason`` (required): their requests close and each returns
    to the state it was in before it waited; the reason goes on its timeline."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("kernel.approval_reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError("kernel.value_too_long", field="reason", limit=MAX_REASON, length=len(reason))
    wf = workflow_of(env.registry, model)
    rows = browse_all(env, model, list(ids))
    with all_or_nothing(env, rows):
        mine = _eligible(env, wf, rows)
        first = {res_id: reqs[:1] for res_id, reqs in mine.items()}
        _decide(env, first, "reject", reason)
        request = env.registry["loom.approval_request"]
        env.session.execute(update(request).where(request.id.in_([r[0].id for r in first.values()]))
                            .values(status="rejected"))
        _return(env, wf, rows, {res_id: reqs[0].from_state for res_id, reqs in first.items()}, "rejected", reason)


def reset_on_edit(records: Records, rows: Sequence[Any]) -> None:
    """Called by ``Records.write``: edited documents waiting for approval (or whose lines were
    edited) lose their requests and return to the state they were in before they waited."""
    env = records.env
    for model, documents in _edited_documents(records, rows):
        wf = find_workflow(env.registry, model)
        submitting = env.session.info.get(SUBMITTING, ())
        waiting = [d for d in documents() if getattr(d, wf.field) == WAITING_APPROVAL
                   and (model, d.id) not in submitting]
        if not waiting:
            continue
        request = env.registry["loom.approval_request"]
        from_of = dict(env.session.execute(select(request.res_id, request.from_state).where(
            request.model == model, request.res_id.in_([d.id for d in waiting]), request.status == "pending")).all())
        _return(env, wf, [d for d in waiting if d.id in from_of], from_of, "reset", None)


def pending_requests(env: Environment, model: str, ids: Sequence[int]) -> list[Any]:
    """Pending requests of documents ``ids`` of ``model``, locked for update in key order."""
    request = env.registry["loom.approval_request"]
    stmt = select(request).where(request.model == model, request.res_id.in_(list(ids)),
                                 request.status == "pending").order_by(request.id)
    return list(env.session.scalars(lock_for_update(stmt)))


def _eligible(env: Environment, wf: ModelWorkflow, rows: Sequence[Any]) -> dict[int, list[Any]]:
    """Per document, the open requests of its current step that this user may decide."""
    by_doc: dict[int, list[Any]] = {}
    for req in pending_requests(env, wf.model, [r.id for r in rows]):
        by_doc.setdefault(req.res_id, []).append(req)
    decided = _already_decided(env, [req.id for reqs in by_doc.values() for req in reqs])
    found: dict[int, list[Any]] = {}
    for row in rows:
        requests = by_doc.get(row.id)
        if not requests:
            raise UserError("kernel.approval_not_waiting", model=wf.model, record=row.display_name(), id=row.id,
                            state=getattr(row, wf.field))
        step = min(req.sequence for req in requests)
        current = [req for req in requests if req.sequence == step]
        if env.uid is not None and any(req.requested_by_id == env.uid for req in current):
            raise AccessError("kernel.approval_requester", model=wf.model, record=row.display_name(), id=row.id,
                              user=env.login)
        allowed = [req for req in current if req.role_id in env.grants.role_ids] if env.uid is not None else []
        if not allowed:
            raise AccessError("kernel.approval_role_required", model=wf.model, record=row.display_name(),
                              id=row.id, user=env.login, roles=", ".join(sorted({r.role.code for r in current})))
        found[row.id] = [req for req in allowed if req.id not in decided]
        if not found[row.id]:
            raise UserError("kernel.approval_already_given", model=wf.model, record=row.display_name(), id=row.id,
                            user=env.login)
    return found


def _already_decided(env: Environment, request_ids: list[int]) -> set[int]:
    if env.uid is None or not request_ids:
        return set()
    decision = env.registry["loom.approval_decision"]
    return set(env.session.scalars(select(decision.request_id).where(
        decision.user_id == env.uid, decision.request_id.in_(request_ids))))


def _decide(env: Environment, mine: dict[int, list[Any]], decision: str, reason: str | None) -> None:
    table = env.registry["loom.approval_decision"].__table__
    stamp = now()
    env.session.execute(insert(table), [{"request_id": req.id, "user_id": env.uid, "decision": decision,
                                         "reason": reason, "at": stamp}
                                        for reqs in mine.values() for req in reqs])


def _fully_approved(env: Environment, requests: list[Any]) -> list[int]:
    decision = env.registry["loom.approval_decision"]
    counts = dict(env.session.execute(
        select(decision.request_id, func.count()).where(decision.request_id.in_([r.id for r in requests]),
                                                        decision.decision == "approve")
        .group_by(decision.request_id)).all())
    return [r.id for r in requests if counts.get(r.id, 0) >= r.approvers]


def _return(env: Environment, wf: ModelWorkflow, rows: Sequence[Any], from_of: dict[int, str], decision: str,
            reason: str | None) -> None:
    """Cancel the documents' pending requests and move each back to its state before it waited."""
    if not rows:
        return
    cancel_requests(env, wf.model, [r.id for r in rows])
    by_state: dict[str, list[Any]] = {}
    for row in rows:
        by_state.setdefault(from_of[row.id], []).append(row)
    for state, group in by_state.items():
        move(env, wf, decision, group, (WAITING_APPROVAL,), state)
    log_events(env, wf.model, [r.id for r in rows], "approval",
               values=[{"decision": decision, "reason": reason, "from_state": WAITING_APPROVAL,
                        "to_state": from_of[r.id]} for r in rows])


def _edited_documents(records: Records, rows: Sequence[Any]) -> list[tuple[str, Any]]:
    """(model, documents getter) for the edited records and for the parents whose computed fields
    follow them (an order's lines), only for models whose workflow takes approvals."""
    registry = records.env.registry

    def approvable(model: str) -> bool:
        wf = find_workflow(registry, model)
        return wf is not None and wf.approvable

    found = [(records.model, lambda: rows)] if approvable(records.model) else []
    for parent_model, inverse, _one2many in registry.computed_parents(records.model):
        if approvable(parent_model):
            link = records.fields[inverse].relationship
            found.append((parent_model, lambda link=link: list(
                {id(p): p for p in (getattr(row, link) for row in rows) if p is not None}.values())))
    return found
