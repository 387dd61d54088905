"""Workflows and approvals: declared states and transitions, run in batches, held by approval rules.

A model declares its workflow as data (:class:`Workflow`, :class:`Transition`; see
:mod:`loom.kernel.workflow.declaration`). Run a transition on many records at once::

    env["sales.order"].transition("confirm", orders)        # or
    from loom.kernel.workflow import run_transition
    run_transition(env, "sales.order", "confirm", orders)

Approval rules are data (``loom.approval_rule``, :mod:`loom.kernel.workflow.rules`); documents
they hold wait in ``waiting_approval`` until :func:`approve` completes them or :func:`reject`
returns them. docs/workflow.md is the guide.
"""

from loom.kernel.workflow.decisions import approve, pending_requests, reject
from loom.kernel.workflow.declaration import WAITING_APPROVAL, Transition, Workflow
from loom.kernel.workflow.definition import ModelWorkflow, check_workflows, find_workflow, workflow_of
from loom.kernel.workflow.engine import run_transition
from loom.kernel.workflow.forgetting import forget_models, forget_records
from loom.kernel.workflow.inbox import approval_inbox
from loom.kernel.workflow.rules import add_rule, edit_rule, list_rules, remove_rule

__all__ = ["WAITING_APPROVAL", "ModelWorkflow", "Transition", "Workflow", "add_rule", "approval_inbox", "approve",
           "check_workflows", "edit_rule", "find_workflow", "forget_models", "forget_records", "list_rules",
           "pending_requests", "reject", "remove_rule", "run_transition", "workflow_of"]
