"""The security audit log: insert-only, hash-chained records of security events.

Write an event in the caller's transaction with :func:`audit_event`; record a refused or failed
action, whose own transaction rolls back, with :func:`audit_refusal` (its own transaction). Walk
the chain with :func:`verify_chain`. Actions are dotted strings (:data:`ACTIONS` lists the ones the
kernel and its channels use)::

    from loom.kernel.audit import audit_event
    audit_event(env, "role.grant", model="loom.user", record_id=user.id,
                before={"roles": ["sales.user"]}, after={"roles": ["sales.user", "sales.manager"]})
"""

from loom.kernel.audit.actions import ACTIONS
from loom.kernel.audit.events import audit_committed, audit_event, audit_refusal
from loom.kernel.audit.listing import list_records
from loom.kernel.audit.verify import ChainBreak, verify_chain

__all__ = ["ACTIONS", "ChainBreak", "audit_committed", "audit_event", "audit_refusal", "list_records", "verify_chain"]
