"""The record timeline: every transition, tracked change, note and activity of a record, in order.

Stories: an order's life (created, its partner and amount edited, confirmed, a note, an activity
done) reads back oldest first with who did what; tracked fields record old -> new in one row per
edited record and untracked edits record nothing; someone who may not read the order cannot read
its timeline or write on it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from loom.kernel.errors import AccessError, MissingError, UserError, ValidationError
from loom.kernel.timeline import add_activity, add_note, log_events, mark_activity_done, timeline, tracked_fields
from loom_test_support import rolled_back
from loomtest_alpha.testing import acting_as, draft_orders, person


@pytest.fixture
def env(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        yield env



def test_an_orders_life_reads_back_oldest_first_with_who_did_what(env):
    clara = acting_as(env, "clara", "loomtest_alpha.clerk")
    (order,) = draft_orders(env, 1, price="100")
    first, other = order.partner_id, env["base.partner"].create({"name": "Second Buyer Co."})
    clara["alpha.order"].write([order], {"partner_id": other.id})
    clara["alpha.order"].transition("confirm", [order])
    add_note(clara, "alpha.order", [order.id], "Customer asked for delivery on Monday")
    activity = add_activity(clara, "alpha.order", order.id, due=dt.date(2027, 1, 4), assignee_id=clara.uid,
                            summary="Call the customer")
    mark_activity_done(clara, activity)
    events = timeline(clara, "alpha.order", order.id)
    assert [e["kind"] for e in events] == ["change", "transition", "note", "activity"]
    assert {e["who"] for e in events} == {"clara"}
    assert events[0]["changes"] == {"partner_id": [first, other.id]}
    assert (events[1]["from_state"], events[1]["to_state"], events[1]["transition"]) == ("draft", "confirmed",
                                                                                          "confirm")
    assert events[2]["body"] == "Customer asked for delivery on Monday"
    assert (events[3]["due_date"], events[3]["assignee"], events[3]["done"]) == (dt.date(2027, 1, 4), "clara", True)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert all(a["at"] <= b["at"] for a, b in zip(events, events[1:], strict=False))


def test_tracked_fields_record_old_and_new_values_for_each_edited_order(env):
    assert tracked_fields(env.registry, "alpha.order") == ("amount_total", "partner_id")
    orders = draft_orders(env, 2, price="100")
    lines = [o.lines[0] for o in orders]
    env["alpha.order"].write(orders[:1], {"lines": {"update": [{"id": lines[0].id, "price": "250.5"}]}})
    env["alpha.order"].write(orders, {"name": "renamed"})  # name is not tracked: no event
    (event,) = [e for e in timeline(env, "alpha.order", orders[0].id) if e["kind"] == "change"]
    assert event["changes"] == {"amount_total": ["100.0000", "250.5000"]}
    assert [e for e in timeline(env, "alpha.order", orders[1].id) if e["kind"] == "change"] == []


def test_editing_a_line_logs_its_orders_new_total_once(env):
    (order,) = draft_orders(env, 1, price="100")
    env["alpha.order.line"].write([order.lines[0]], {"quantity": "3"})
    changes = [e["changes"] for e in timeline(env, "alpha.order", order.id) if e["kind"] == "change"]
    assert changes == [{"amount_total": ["100.0000", "300.0000"]}]


def test_a_batch_edit_writes_one_change_row_per_record(env):
    orders = draft_orders(env, 3)
    other = env["base.partner"].create({"name": "Third Buyer Co."})
    env["alpha.order"].write(orders, {"partner_id": other.id})
    events = env["loom.record_event"].search([["kind", "=", "change"], ["res_id", "in", [o.id for o in orders]]])
    assert sorted(e.res_id for e in events) == sorted(o.id for o in orders)


def test_who_may_not_read_the_order_may_not_read_or_write_its_timeline(env):
    (order,) = draft_orders(env, 1)
    stranger = acting_as(env, "stan")
    with pytest.raises(AccessError):
        timeline(stranger, "alpha.order", order.id)
    with pytest.raises(AccessError):
        add_note(stranger, "alpha.order", [order.id], "hello")
    with pytest.raises(MissingError):
        timeline(env, "alpha.order", order.id + 1000)


def test_notes_and_activities_refuse_bad_input_naming_the_field(env):
    (order,) = draft_orders(env, 1)
    with pytest.raises(ValidationError) as empty:
        add_note(env, "alpha.order", [order.id], "   ")
    assert empty.value.field == "body"
    with pytest.raises(ValidationError) as nobody:
        add_activity(env, "alpha.order", order.id, due=dt.date(2027, 1, 1), assignee_id=99999, summary="x")
    assert nobody.value.field == "assignee_id"
    with pytest.raises(ValidationError) as not_a_date:
        add_activity(env, "alpha.order", order.id, due="tomorrow", assignee_id=1, summary="x")
    assert not_a_date.value.field == "due_date"
    activity = add_activity(env, "alpha.order", order.id, due=dt.date(2027, 1, 1),
                            assignee_id=person(env, "ann").id, summary="Check the stock")
    mark_activity_done(env, activity)
    with pytest.raises(UserError) as again:
        mark_activity_done(env, activity)
    assert again.value.message_id == "kernel.activity_already_done"


def test_modules_log_their_own_events_in_one_call(env):
    orders = draft_orders(env, 2)
    log_events(env, "alpha.order", [o.id for o in orders], "note", body="Sent to the customer")
    log_events(env, "alpha.order", [o.id for o in orders], "note", values=[{"body": "a"}, {"body": "b"}])
    assert [e["body"] for e in timeline(env, "alpha.order", orders[1].id)] == ["Sent to the customer", "b"]
    with pytest.raises(ValidationError):
        log_events(env, "alpha.order", [orders[0].id], "gossip")


def test_a_deleted_order_takes_its_timeline_and_approvals_with_it(env):
    from loom.kernel.workflow import add_rule, forget_models

    add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                   "amount_field": "amount_total", "threshold": "10"})
    gone, kept = draft_orders(env, 2, price="100")
    env["alpha.order"].transition("confirm", [gone, kept])
    add_note(env, "alpha.order", [gone.id, kept.id], "Waiting for the manager")
    env["alpha.order"].delete([gone])

    def rows(model, **where):
        domain = [["model", "=", "alpha.order"], *([k, "=", v] for k, v in where.items())]
        return env[model].count(domain)

    assert rows("loom.record_event", res_id=gone.id) == 0 and rows("loom.approval_request", res_id=gone.id) == 0
    assert rows("loom.record_event", res_id=kept.id) == 2 and rows("loom.approval_request", res_id=kept.id) == 1
    forget_models(env, ["alpha.order"])  # what the uninstall purge does for a module's models
    assert rows("loom.record_event") == rows("loom.approval_request") == rows("loom.approval_rule") == 0
