"""Which approval rules hold a transition, and opening their requests.

Rules are data (``loom.approval_rule``). A rule holds the records of its company matching its
domain and, when it names an amount field, whose amount exceeds its threshold (strictly: an amount
equal to the threshold passes). One SELECT per rule of the transition, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from loom.kernel.domain import compile_domain
from loom.kernel.timeline.events import log_events, now
from loom.kernel.workflow.declaration import WAITING_APPROVAL, Transition

if TYPE_CHECKING:
    from loom.kernel.environment import Environment
    from loom.kernel.workflow.definition import ModelWorkflow


def rules_for(env: Environment, model: str, transition: str) -> list[Any]:
    """The approval rules of ``transition`` of ``model``, in approval order (every company)."""
    rule = env.registry["loom.approval_rule"]
    stmt = select(rule).where(rule.model == model, rule.transition == transition).order_by(rule.sequence, rule.id)
    return list(env.session.scalars(stmt))


def rules_holding(env: Environment, wf: ModelWorkflow, transition: Transition, rows: Sequence[Any]) -> dict[int, list]:
    """For each record of ``rows`` that needs approval, the rules that hold it (in approval order)."""
    rules = rules_for(env, wf.model, transition.name)
    if not rules:
        return {}
    cls = env.registry[wf.model]
    has_company = "company_id" in env.registry.fields(wf.model)
    ids = [row.id for row in rows]
    holding: dict[int, list] = {}
    for rule in rules:
        if not has_company and rule.company_id != env.company_id:
            continue
        stmt = select(cls.id).where(cls.id.in_(ids), rule_condition(env, wf.model, rule))
        if has_company:
            stmt = stmt.where(cls.company_id == rule.company_id)
        for record_id in env.session.scalars(stmt):
            holding.setdefault(record_id, []).append(rule)
    return holding


def rule_condition(env: Environment, model: str, rule: Any) -> Any:
    """The SQL condition of ``rule`` over ``model``: its domain and its amount over the threshold."""
    cls = env.registry[model]
    condition = compile_domain(rule.domain or [], model, env.registry)
    if rule.amount_field:
        condition = condition & (getattr(cls, rule.amount_field) > rule.threshold)
    return condition


#: ``session.info`` key: (model, id) of documents whose ``on_approval_requested`` hook is running.
SUBMITTING = "loom_submitting_for_approval"


def open_requests(env: Environment, wf: ModelWorkflow, transition: Transition, rows: Sequence[Any],
                  parked: dict[int, str], holding: dict[int, list]) -> None:
    """Open one request per holding rule and record, log ``requested`` and call ``on_approval_requested``."""
    table = env.registry["loom.approval_request"].__table__
    stamp = now()
    requests = [{"model": wf.model, "res_id": row.id, "transition": transition.name, "from_state": parked[row.id],
                 "rule_id": rule.id, "role_id": rule.role_id, "approvers": rule.approvers,
                 "sequence": rule.sequence, "requested_by_id": env.uid, "requested_at": stamp, "status": "pending"}
                for row in rows for rule in holding[row.id]]
    env.session.execute(insert(table), requests)
    events = [{"transition": transition.name, "decision": "requested", "from_state": parked[row.id],
               "to_state": WAITING_APPROVAL} for row in rows]
    log_events(env, wf.model, [row.id for row in rows], "approval", values=events)
    submitting = env.session.info.setdefault(SUBMITTING, set())
    keys = {(wf.model, row.id) for row in rows}
    submitting.update(keys)  # what a module writes on them now is part of the submission, not an edit
    try:
        env.hooks.on_approval_requested(env=env, model=wf.model, transition=transition.name, records=list(rows))
    finally:
        submitting.difference_update(keys)


def cancel_requests(env: Environment, model: str, ids: Sequence[int]) -> None:
    """Cancel the pending requests of documents ``ids`` (they left ``waiting_approval`` another way,
    through a transition whose sources include it, such as a cancellation)."""
    if ids:
        request = env.registry["loom.approval_request"]
        env.session.execute(update(request).where(request.model == model, request.res_id.in_(list(ids)),
                                                  request.status == "pending").values(status="cancelled"))
