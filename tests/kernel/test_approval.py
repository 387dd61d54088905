"""Approvals as business stories on alpha orders.

A rule says orders over 10,000 wait for a manager at confirmation. Stories: an order of 12,000
waits while one of 8,000 in the same batch is confirmed; the salesman who asked cannot approve it;
a two-approver rule needs two different managers; editing the amount sends the order back to
draft with its approvals cancelled; a rejection needs a reason and returns the order to draft
with the reason on its timeline; a second step waits for the first.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from loom.kernel.errors import AccessError, UserError, ValidationError
from loom.kernel.hooks import hookimpl
from loom.kernel.timeline import timeline
from loom.kernel.workflow import add_rule, approval_inbox, approve, pending_requests, reject
from loom_test_support import rolled_back
from loomtest_alpha.testing import acting_as, draft_orders


@pytest.fixture
def env(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        yield env



def large_order_rule(env, **more):
    return add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                          "amount_field": "amount_total", "threshold": "10000", **more})


def state_of(env, order):
    env.session.expire(order)
    return env.sudo()["alpha.order"].get(order.id).state


@pytest.fixture
def shop(env):
    """A salesman, two managers and a clerk, and the 10,000 rule."""
    large_order_rule(env)
    return {"sam": acting_as(env, "sam", "loomtest_alpha.clerk"),
            "mia": acting_as(env, "mia", "loomtest_alpha.manager"),
            "max": acting_as(env, "max", "loomtest_alpha.manager"),
            "cid": acting_as(env, "cid", "loomtest_alpha.clerk")}


def test_an_order_over_the_threshold_waits_for_a_manager_and_the_rest_go_through(env, shop):
    big = draft_orders(env, 1, price="12000")[0]
    small = draft_orders(env, 1, price="8000")[0]
    shop["sam"]["alpha.order"].transition("confirm", [big, small])
    assert (state_of(env, big), state_of(env, small)) == ("waiting_approval", "confirmed")
    (request,) = pending_requests(env, "alpha.order", [big.id])
    assert (request.transition, request.from_state, request.approvers) == ("confirm", "draft", 1)
    assert [row["res_id"] for row in approval_inbox(shop["mia"])] == [big.id]
    assert approval_inbox(shop["cid"]) == []
    assert [row["res_id"] for row in approval_inbox(env)] == [big.id]  # the superuser sees everything

    assert approve(shop["mia"], "alpha.order", [big.id]) == {big.id: "completed"}
    assert state_of(env, big) == "confirmed" and big.name.startswith("AO")
    story = [(e["kind"], e["decision"] or e["transition"], e["to_state"], e["who"])
             for e in timeline(env, "alpha.order", big.id)]
    assert story == [("approval", "requested", "waiting_approval", "sam"), ("approval", "approved", None, "mia"),
                     ("transition", "confirm", "confirmed", "mia")]


def test_the_salesman_who_asked_cannot_approve_even_as_a_manager(env):
    large_order_rule(env)
    sam = acting_as(env, "sam", "loomtest_alpha.clerk", "loomtest_alpha.manager")
    (order,) = draft_orders(env, 1, price="12000")
    sam["alpha.order"].transition("confirm", [order])
    with pytest.raises(AccessError) as refused:
        approve(sam, "alpha.order", [order.id])
    assert refused.value.message_id == "kernel.approval_requester"
    assert "sam asked for the approval of alpha.order" in str(refused.value)
    assert state_of(env, order) == "waiting_approval"


def test_a_clerk_without_the_role_cannot_approve(env, shop):
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    with pytest.raises(AccessError) as refused:
        approve(shop["cid"], "alpha.order", [order.id])
    assert "its current approval step needs the role loomtest_alpha.manager" in str(refused.value)


def test_a_two_approver_rule_needs_two_different_managers(env):
    large_order_rule(env, approvers=2)
    sam = acting_as(env, "sam", "loomtest_alpha.clerk")
    mia, max_ = acting_as(env, "mia", "loomtest_alpha.manager"), acting_as(env, "max", "loomtest_alpha.manager")
    (order,) = draft_orders(env, 1, price="12000")
    sam["alpha.order"].transition("confirm", [order])
    assert approve(mia, "alpha.order", [order.id]) == {order.id: "waiting"}
    with pytest.raises(UserError) as twice:
        approve(mia, "alpha.order", [order.id])
    assert twice.value.message_id == "kernel.approval_already_given"
    assert state_of(env, order) == "waiting_approval"
    assert approve(max_, "alpha.order", [order.id]) == {order.id: "completed"}
    assert state_of(env, order) == "confirmed"


def test_editing_the_amount_resets_the_approvals(env, shop):
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    line = order.lines[0]
    shop["sam"]["alpha.order"].write([order], {"lines": {"update": [{"id": line.id, "price": "15000"}]}})
    assert state_of(env, order) == "draft"
    assert pending_requests(env, "alpha.order", [order.id]) == []
    with pytest.raises(UserError) as refused:
        approve(shop["mia"], "alpha.order", [order.id])
    assert refused.value.message_id == "kernel.approval_not_waiting"
    reset = [e for e in timeline(env, "alpha.order", order.id) if e["decision"] == "reset"]
    assert [(e["who"], e["from_state"], e["to_state"]) for e in reset] == [("sam", "waiting_approval", "draft")]


def test_editing_a_line_directly_resets_its_orders_approvals(env, shop):
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    shop["sam"]["alpha.order.line"].write([order.lines[0]], {"quantity": "2"})
    assert state_of(env, order) == "draft"


def test_a_line_added_on_its_own_counts_toward_the_threshold(env, shop):
    (order,) = draft_orders(env, 1, price="5000")
    shop["sam"]["alpha.order.line"].create({"order_id": order.id, "quantity": "1", "price": "50000"})
    assert order.amount_total == Decimal("55000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    assert state_of(env, order) == "waiting_approval"


def test_adding_or_removing_a_line_of_a_waiting_order_sends_it_back(env, shop):
    grown, shrunk = draft_orders(env, 2, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [grown, shrunk])
    shop["sam"]["alpha.order.line"].create({"order_id": grown.id, "quantity": "1", "price": "30000"})
    assert state_of(env, grown) == "draft" and grown.amount_total == Decimal("42000")
    env["alpha.order.line"].delete(list(shrunk.lines))
    assert state_of(env, shrunk) == "draft" and shrunk.amount_total == 0
    assert pending_requests(env, "alpha.order", [grown.id, shrunk.id]) == []


def test_everyones_waiting_list_leaves_out_documents_the_user_may_not_read(env, shop):
    shop["sam"]["alpha.order"].transition("confirm", draft_orders(env, 1, price="12000"))
    outsider = acting_as(env, "nora")
    assert approval_inbox(outsider, everyone=True) == []


def test_a_rejection_needs_a_reason_and_returns_the_order_with_it(env, shop):
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    with pytest.raises(ValidationError) as no_reason:
        reject(shop["max"], "alpha.order", [order.id], "  ")
    assert no_reason.value.field == "reason"
    reject(shop["max"], "alpha.order", [order.id], "Price above the customer's contract")
    assert state_of(env, order) == "draft"
    last = timeline(env, "alpha.order", order.id)[-1]
    assert (last["decision"], last["who"], last["reason"]) == ("rejected", "max", "Price above the customer's contract")
    shop["sam"]["alpha.order"].transition("confirm", [order])  # the salesman may resubmit
    assert state_of(env, order) == "waiting_approval"


def test_a_second_step_waits_for_the_first(env, shop):
    director = env["loom.role"].create({"code": "loomtest_alpha.director", "name": "Director"})
    env["loom.access"].create({"role_id": director.id, "model": "alpha.order", "perm_read": True})
    large_order_rule(env, role="loomtest_alpha.director", sequence=20, threshold="11000")
    dora = acting_as(env, "dora", "loomtest_alpha.director")
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    with pytest.raises(AccessError):
        approve(dora, "alpha.order", [order.id])  # the manager's step comes first
    assert approve(shop["mia"], "alpha.order", [order.id]) == {order.id: "waiting"}
    assert approve(dora, "alpha.order", [order.id]) == {order.id: "completed"}


def test_a_rule_holds_only_orders_matching_its_domain(env, shop):
    first, other = draft_orders(env, 1, price="12000")[0], draft_orders(env, 1, price="12000", partner_name="B")[0]
    env["loom.approval_rule"].write(env["loom.approval_rule"].search([]), {"domain": [["partner_id", "=",
                                                                                      first.partner_id]]})
    shop["sam"]["alpha.order"].transition("confirm", [first, other])
    assert (state_of(env, first), state_of(env, other)) == ("waiting_approval", "confirmed")


def test_an_amount_equal_to_the_threshold_needs_no_approval(env, shop):
    (order,) = draft_orders(env, 1, price="10000")
    assert order.amount_total == Decimal("10000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    assert state_of(env, order) == "confirmed"


def test_modules_hear_when_approval_is_requested(env, shop):
    heard = []

    class Notifier:
        @hookimpl
        def on_approval_requested(self, env, model, transition, records):
            heard.append((model, transition, [r.state for r in records]))

    env.registry.pm.register(Notifier(), name="loomtest_alpha:notifier")
    try:
        shop["sam"]["alpha.order"].transition("confirm", draft_orders(env, 2, price="12000"))
    finally:
        env.registry.pm.unregister(name="loomtest_alpha:notifier")
    assert heard == [("alpha.order", "confirm", ["waiting_approval"] * 2)]


def test_a_module_stamping_the_submitted_document_does_not_undo_the_submission(env, shop):
    class Stamp:
        @hookimpl
        def on_approval_requested(self, env, model, transition, records):
            env.sudo()[model].write(records, {"name": "SUBMITTED"})

    (order,) = draft_orders(env, 1, price="12000")
    env.registry.pm.register(Stamp(), name="loomtest_alpha:stamp")
    try:
        shop["sam"]["alpha.order"].transition("confirm", [order])
    finally:
        env.registry.pm.unregister(name="loomtest_alpha:stamp")
    assert state_of(env, order) == "waiting_approval" and order.name == "SUBMITTED"
    assert len(pending_requests(env, "alpha.order", [order.id])) == 1
    shop["sam"]["alpha.order"].write([order], {"name": "EDITED LATER"})  # a real edit still resets
    assert state_of(env, order) == "draft"


def test_a_rule_of_another_company_holds_nothing_here(env):
    other = env["loom.company"].create({"name": "Alpha Branch Ltd.", "code": "BRANCH"})
    large_order_rule(env, company_id=other.id)
    sam = acting_as(env, "sam", "loomtest_alpha.clerk")
    (order,) = draft_orders(env, 1, price="12000")
    sam["alpha.order"].transition("confirm", [order])
    assert state_of(env, order) == "confirmed"


def test_a_waiting_order_cancelled_through_the_workflow_closes_its_requests(env, shop, monkeypatch):
    from loom.kernel.workflow import Transition, workflow_of

    wf = workflow_of(env.registry, "alpha.order")
    monkeypatch.setitem(wf.transitions, "cancel", Transition("cancel", ("draft", "confirmed", "waiting_approval"),
                                                             "cancelled"))
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    shop["sam"]["alpha.order"].transition("cancel", [order])
    assert state_of(env, order) == "cancelled"
    assert pending_requests(env, "alpha.order", [order.id]) == []
    assert approval_inbox(shop["mia"]) == []


def test_the_approvals_check_finds_stranded_documents_and_requests(env, shop):
    from sqlalchemy import text

    from loom.kernel.checks import run_checks
    from loom.kernel.workflow.checks import approvals_consistent

    stranded, answered = draft_orders(env, 2, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [stranded, answered])
    assert list(approvals_consistent(env)) == []
    env.session.execute(text("DELETE FROM loom_approval_request WHERE res_id = :id"), {"id": stranded.id})
    env.session.execute(text("UPDATE alpha_order SET state = 'draft' WHERE id = :id"), {"id": answered.id})
    found = list(approvals_consistent(env))
    assert [v.records[0][0] for v in found] == ["alpha.order", "loom.approval_request"]
    assert found[0].records == [("alpha.order", stranded.id)]
    assert [v.check for v in run_checks(env) if v.check == "kernel.approvals"] == ["kernel.approvals"] * 2


def test_saving_a_waiting_order_unchanged_keeps_its_approvals(env, shop):
    (order,) = draft_orders(env, 1, price="12000")
    shop["sam"]["alpha.order"].transition("confirm", [order])
    shop["sam"]["alpha.order"].write([order], {"partner_id": order.partner_id, "name": order.name})
    assert state_of(env, order) == "waiting_approval"
    assert len(pending_requests(env, "alpha.order", [order.id])) == 1
