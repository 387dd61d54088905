"""Kernel models of record timeline, workflow approval rules and approval requests."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.fields import Many2One, boolean
from loom.kernel.model import Check, Index, Model, Unique
from loom.kernel.money import Money

#: Kinds of timeline events.
EVENT_KINDS = ("transition", "change", "note", "activity", "approval")


class RecordEvent(Model):
    """One event on a record's timeline: a transition, tracked changes, a note, an activity or an
    approval step. Written by the kernel (``loom.kernel.timeline.log_events``), read per record in
    time order; only an activity's done flag changes afterwards."""

    __model__ = "loom.record_event"
    __managed__ = True
    __indexes__ = (Index("model", "res_id", "id"),)
    __checks__ = (Check("kind_known", "kind IN ('transition', 'change', 'note', 'activity', 'approval')"),)

    model: Mapped[str] = mapped_column(String(100))
    res_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), info={"selection": EVENT_KINDS})
    user_id = Many2One("loom.user", ondelete="SET NULL", index=False, label="Who")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    transition: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    assignee_id = Many2One("loom.user", ondelete="SET NULL", label="Assignee")
    done: Mapped[bool] = boolean(False)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApprovalRule(Model):
    """When a transition of a model needs approval: records of ``company_id`` matching ``domain``
    (and, when set, whose ``amount_field`` exceeds ``threshold`` in company currency) wait for
    ``approvers`` different users holding ``role_id``; rules are approved in ``sequence`` order."""

    __model__ = "loom.approval_rule"
    __company__ = "required"
    __order__ = "model, transition, sequence, id"
    __indexes__ = (Index("model", "transition"),)
    __checks__ = (Check("approvers_positive", "approvers >= 1"),)

    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(100))
    transition: Mapped[str] = mapped_column(String(64))
    domain: Mapped[list] = mapped_column(JSON, default=list)
    amount_field: Mapped[str | None] = mapped_column(String(64))
    threshold: Mapped[Decimal | None] = mapped_column(Money(scale=4))
    role_id = Many2One("loom.role", nullable=False, ondelete="CASCADE")
    approvers: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sequence: Mapped[int] = mapped_column(Integer, default=10, server_default="10")


class ApprovalRequest(Model):
    """One rule's approval of one document's pending transition. The rule's role, approver count
    and sequence are copied when the request opens, so editing a rule never changes open requests."""

    __model__ = "loom.approval_request"
    __managed__ = True
    __order__ = "sequence, id"
    __indexes__ = (Index("model", "res_id", "status"),)
    __checks__ = (Check("status_known", "status IN ('pending', 'approved', 'rejected', 'cancelled')"),)

    model: Mapped[str] = mapped_column(String(100))
    res_id: Mapped[int] = mapped_column(Integer)
    transition: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(32))
    rule_id = Many2One("loom.approval_rule", ondelete="SET NULL")
    role_id = Many2One("loom.role", nullable=False, ondelete="CASCADE")
    approvers: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    requested_by_id = Many2One("loom.user", ondelete="SET NULL", index=False, label="Requested by")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), info={
        "selection": ("pending", "approved", "rejected", "cancelled")})


class ApprovalDecision(Model):
    """One approver's approval or rejection of a request; one per user and request, so a rule
    that needs two approvers needs two different users."""

    __model__ = "loom.approval_decision"
    __managed__ = True
    __indexes__ = (Unique("request_id", "user_id"),)
    __checks__ = (Check("decision_known", "decision IN ('approve', 'reject')"),)

    request_id = Many2One("loom.approval_request", nullable=False, ondelete="CASCADE", index=False)
    user_id = Many2One("loom.user", nullable=False, ondelete="CASCADE")
    decision: Mapped[str] = mapped_column(String(16), info={"selection": ("approve", "reject")})
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (RecordEvent, ApprovalRule, ApprovalRequest, ApprovalDecision)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = ()
