"""The approvals invariant ``loom check`` can run: a document waits for approval exactly when it
has pending requests.

For every model whose workflow takes approvals, one query finds documents in ``waiting_approval``
without a pending request (nobody could ever approve them) and one finds pending requests whose
document is gone or no longer waiting (approvers would be asked about nothing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, exists, select

from loom.kernel.checks import Check, Violation
from loom.kernel.hooks import hookimpl
from loom.kernel.workflow.declaration import WAITING_APPROVAL
from loom.kernel.workflow.definition import check_workflows

NAME = "kernel.approvals"
SHOWN = 20


def approvals_consistent(env: Any) -> Iterator[Violation]:
    """Yield a violation per approvable model with stranded documents or requests."""
    request = env.registry["loom.approval_request"]
    for model, wf in check_workflows(env.registry).items():
        if not wf.approvable:
            continue
        cls = env.registry[model]
        state = getattr(cls, wf.field)
        pending = and_(request.model == model, request.res_id == cls.id, request.status == "pending")
        stranded = list(env.session.scalars(select(cls.id).where(state == WAITING_APPROVAL, ~exists().where(pending))
                                            .order_by(cls.id).limit(SHOWN)))
        if stranded:
            yield Violation(NAME, f"{model} records wait for approval without a pending request: {stranded}",
                            [(model, i) for i in stranded])
        waiting = and_(cls.id == request.res_id, state == WAITING_APPROVAL)
        orphans = list(env.session.scalars(select(request.id).where(
            request.model == model, request.status == "pending", ~exists().where(waiting))
            .order_by(request.id).limit(SHOWN)))
        if orphans:
            yield Violation(NAME, f"pending approval requests of {model} whose record is not waiting: {orphans}",
                            [("loom.approval_request", i) for i in orphans])


APPROVALS_CHECK = Check(NAME, "A document waits for approval exactly when it has pending requests",
                        approvals_consistent)


@hookimpl
def register_checks() -> list[Check]:
    """The kernel's workflow contributes its invariant the way modules do."""
    return [APPROVALS_CHECK]
