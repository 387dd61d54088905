"""What a record's page offers of its workflow: the transitions the user may run from the record's
state, and the approval the record waits for with whether this user may decide it.

The checks mirror the kernel's (``loom.kernel.workflow.engine`` and ``decisions``) so a button is
shown exactly when pressing it would not be refused for the user's rights; the kernel still checks
again when the button is pressed. A waiting record costs two queries, others none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from loom.kernel import access
from loom.kernel.i18n import translate
from loom.kernel.web.display import selection_label
from loom.kernel.workflow import WAITING_APPROVAL, Transition, find_workflow
from loom.kernel.workflow.definition import ModelWorkflow


@dataclass(frozen=True)
class Approval:
    """The current step of a record's waiting approval."""

    transition: str
    roles: tuple[str, ...]  # the names of the roles that may decide
    given: int
    needed: int
    may_decide: bool


@dataclass(frozen=True)
class WorkflowPanel:
    """The record's state, the transitions the user may run from it, and its waiting approval."""

    state: str
    state_label: str
    transitions: list[tuple[str, str]] = field(default_factory=list)
    approval: Approval | None = None


def transition_label(transition: Transition, lang: str) -> str:
    """The button text of ``transition``: its label (a message id ``owner.name`` is translated),
    else its name made readable."""
    label = transition.label
    if label and "." in label and " " not in label:
        return translate(label, lang)
    return label or transition.name.replace("_", " ").capitalize()


def may_run(env: Any, transition: Transition) -> bool:
    """Whether the user holds one of the roles ``transition`` asks for (any when it asks none)."""
    if not transition.roles or env.su or env.grants.all_access:
        return True
    return bool(env.grants.role_codes & set(transition.roles))


def record_writable(env: Any, model: str, record_id: int) -> bool:
    """Whether the user may write record ``record_id`` (model permission, record rules, company)."""
    if not access.may(env, model, "write"):
        return False
    limit_to = access.record_filter(env, model, "write")
    if limit_to is None:
        return True
    cls = env.registry[model]
    return bool(env.session.scalar(select(func.count()).select_from(cls).where(cls.id == record_id, limit_to)))


def workflow_panel(env: Any, model: str, record: Any, *, writable: bool, lang: str) -> WorkflowPanel | None:
    """The panel of ``record`` (``writable``: whether the user may write it), or None when
    ``model`` has no workflow."""
    wf = find_workflow(env.registry, model)
    if wf is None:
        return None
    state = getattr(record, wf.field)
    allowed = [t for t in wf.transitions.values() if writable and state in t.sources and may_run(env, t)]
    approval = waiting_approval(env, wf, record.id, lang) if state == WAITING_APPROVAL else None
    label = selection_label(model, wf.field, env.registry.fields(model)[wf.field], state, lang)
    return WorkflowPanel(state, label, [(t.name, transition_label(t, lang)) for t in allowed], approval)


def waiting_approval(env: Any, wf: ModelWorkflow, record_id: int, lang: str) -> Approval | None:
    """The current step of the approval record ``record_id`` waits for (None if it has none); the
    transition named for a reader of ``lang``."""
    request, role = env.registry["loom.approval_request"], env.registry["loom.role"]
    decision = env.registry["loom.approval_decision"]
    given = (select(func.count()).where(decision.request_id == request.id, decision.decision == "approve")
             .correlate(request).scalar_subquery())
    rows = env.session.execute(
        select(request.id, request.transition, request.sequence, request.role_id, request.requested_by_id,
               request.approvers, role.name, role.name_zh, given.label("given"))
        .join(role, role.id == request.role_id)
        .where(request.model == wf.model, request.res_id == record_id, request.status == "pending")
        .order_by(request.sequence, request.id)).all()
    if not rows:
        return None
    current = [row for row in rows if row.sequence == rows[0].sequence]
    declared = wf.transitions.get(current[0].transition)
    name = transition_label(declared, lang) if declared is not None else current[0].transition
    roles = {(row.name_zh or row.name) if lang == "zh_CN" else row.name for row in current}
    return Approval(transition=name, roles=tuple(sorted(roles)),
                    given=sum(row.given for row in current), needed=sum(row.approvers for row in current),
                    may_decide=_may_decide(env, current))


def _may_decide(env: Any, current: list[Any]) -> bool:
    """The kernel's rule: the user holds a role of the step, did not ask, and has not decided yet."""
    if env.uid is None or any(row.requested_by_id == env.uid for row in current):
        return False
    mine = [row.id for row in current if row.role_id in env.grants.role_ids]
    if not mine:
        return False
    decision = env.registry["loom.approval_decision"]
    decided = set(env.session.scalars(select(decision.request_id).where(
        decision.user_id == env.uid, decision.request_id.in_(mine))))
    return bool(set(mine) - decided)
