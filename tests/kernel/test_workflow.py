"""Workflows: declared transitions run on whole batches, refuse loudly and compose across modules.

Stories: a clerk confirms a batch of alpha orders in one call; confirming an order twice names the
order, its state and what may be done from there, and nothing of the batch is kept; a transition
reserved to managers refuses a clerk; modules hear about transitions through the kernel's
``on_transition`` hook and the transition's own business hook, once per batch; another module adds a
state and transitions to alpha's workflow by extending the order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from loom.kernel.environment import Environment
from loom.kernel.errors import AccessError, ConfigurationError, UnknownFieldError, UserError
from loom.kernel.hooks import hookimpl
from loom.kernel.registry import registry_for
from loom.kernel.workflow import Transition, Workflow, find_workflow, workflow_of
from loom_test_support import ROOTS, rolled_back
from loomtest_alpha.testing import draft_orders, person

EXTENSIONS = str(Path(__file__).resolve().parent / "workflow_modules")


@pytest.fixture
def env(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        yield env


def as_user(env, user):
    return Environment(env.registry, env.session, uid=user.id)


def test_a_clerk_confirms_a_batch_of_orders_in_one_call(env):
    clerk = as_user(env, person(env, "clara", "loomtest_alpha.clerk"))
    orders = draft_orders(clerk, 3)
    confirmed = clerk["alpha.order"].transition("confirm", orders)
    assert [o.state for o in confirmed] == ["confirmed"] * 3
    assert all(o.name.startswith("AO") for o in confirmed)
    assert {o.state for o in env["alpha.order"].browse([o.id for o in orders])} == {"confirmed"}


def test_confirming_a_confirmed_order_names_it_its_state_and_the_way_on(env):
    orders = draft_orders(env, 2)
    env["alpha.order"].transition("confirm", orders[:1])
    with pytest.raises(UserError) as refused:
        env["alpha.order"].transition("confirm", orders)
    message = str(refused.value)
    assert refused.value.message_id == "kernel.transition_not_allowed"
    assert f"alpha.order {orders[0].name} (id {orders[0].id}) is in state confirmed" in message
    assert "cannot confirm; allowed from confirmed: done, cancel" in message
    assert env["alpha.order"].get(orders[1].id).state == "draft"  # the whole batch rolled back


def test_a_refused_batch_leaves_no_state_change_and_no_timeline_row(env):
    orders = draft_orders(env, 3)
    env["alpha.order"].transition("cancel", orders[2:])
    with pytest.raises(UserError):
        env["alpha.order"].transition("cancel", orders)
    env.session.expire_all()
    assert [o.state for o in env["alpha.order"].browse([o.id for o in orders])] == ["draft", "draft", "cancelled"]
    events = env["loom.record_event"].search([["model", "=", "alpha.order"], ["kind", "=", "transition"],
                                              ["res_id", "in", [o.id for o in orders]]])
    assert [(e.res_id, e.to_state) for e in events] == [(orders[2].id, "cancelled")]


def test_a_guard_refuses_an_order_without_lines_naming_it(env):
    (order,) = draft_orders(env, 1)
    env["alpha.order"].write([order], {"lines": {"delete": [order.lines[0].id]}})
    with pytest.raises(UserError) as refused:
        env["alpha.order"].transition("confirm", [order])
    assert refused.value.params == {"order": order.id} and refused.value.field == "lines"
    assert env["alpha.order"].get(order.id).state == "draft"


def test_an_unknown_transition_lists_the_known_ones(env):
    with pytest.raises(UserError) as refused:
        env["alpha.order"].transition("ship", draft_orders(env, 1))
    assert "alpha.order has no transition ship (transitions: confirm, done, cancel, reset)" in str(refused.value)


def test_the_state_is_written_only_by_transitions(env):
    (order,) = draft_orders(env, 1)
    with pytest.raises(UnknownFieldError):
        env["alpha.order"].write([order], {"state": "done"})
    with pytest.raises(UnknownFieldError):
        env["alpha.order"].create({"partner_id": order.partner_id, "state": "done"})


def test_a_user_without_write_access_cannot_run_a_transition(env):
    manager = as_user(env, person(env, "maya", "loomtest_alpha.manager"))  # reads orders, writes none
    orders = draft_orders(env, 1)
    with pytest.raises(AccessError):
        manager["alpha.order"].transition("cancel", orders)


def test_a_transition_reserved_to_a_role_refuses_others(env, monkeypatch):
    wf = workflow_of(env.registry, "alpha.order")
    guarded = Transition("cancel", ("draft", "confirmed"), "cancelled", roles=("loomtest_alpha.manager",))
    monkeypatch.setitem(wf.transitions, "cancel", guarded)
    clerk = as_user(env, person(env, "carl", "loomtest_alpha.clerk"))
    boss = as_user(env, person(env, "bea", "loomtest_alpha.clerk", "loomtest_alpha.manager"))
    orders = draft_orders(clerk, 1)
    with pytest.raises(AccessError) as refused:
        clerk["alpha.order"].transition("cancel", orders)
    assert "carl may not cancel alpha.order: the transition needs the role loomtest_alpha.manager" in str(refused.value)
    assert [o.state for o in boss["alpha.order"].transition("cancel", orders)] == ["cancelled"]


class Listener:
    """Records the hook calls a transition makes."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def on_transition(self, env, model, transition, records):
        self.calls.append(("on_transition", model, transition, [r.id for r in records]))

    @hookimpl
    def on_alpha_confirmed(self, env, orders):
        self.calls.append(("on_alpha_confirmed", [o.state for o in orders]))


def test_hooks_hear_each_batch_once_after_the_state_changed(env):
    listener = Listener()
    env.registry.pm.register(listener, name="loomtest_alpha:listener")
    try:
        orders = draft_orders(env, 3)
        env["alpha.order"].transition("confirm", orders)
        env["alpha.order"].transition("done", orders[:2])
    finally:
        env.registry.pm.unregister(name="loomtest_alpha:listener")
    ids = [o.id for o in orders]
    assert listener.calls == [("on_transition", "alpha.order", "confirm", ids),
                              ("on_alpha_confirmed", ["confirmed"] * 3),
                              ("on_transition", "alpha.order", "done", ids[:2])]


def test_a_hook_that_raises_rolls_the_batch_back(env):
    class Failing:
        @hookimpl
        def on_transition(self, env, model, transition, records):
            raise RuntimeError("the warehouse is unreachable")

    env.registry.pm.register(Failing(), name="loomtest_alpha:failing")
    orders = draft_orders(env, 2)
    try:
        with pytest.raises(RuntimeError):
            env["alpha.order"].transition("cancel", orders)
    finally:
        env.registry.pm.unregister(name="loomtest_alpha:failing")
    env.session.expire_all()
    assert {o.state for o in env["alpha.order"].browse([o.id for o in orders])} == {"draft"}


def test_a_module_adds_a_state_and_transitions_by_extending_the_model(monkeypatch):
    monkeypatch.syspath_prepend(EXTENSIONS)
    registry = registry_for(frozenset({"loomtest_alpha", "loomtest_alpha_ship"}), (*ROOTS, EXTENSIONS))
    wf = workflow_of(registry, "alpha.order")
    assert wf.states == ("draft", "confirmed", "done", "cancelled", "shipped", "waiting_approval")
    assert wf.transitions["ship"].sources == ("confirmed",) and wf.transitions["ship"].target == "shipped"
    assert wf.transitions["done"].sources == ("confirmed", "shipped")
    assert wf.transitions["cancel"].sources == ("draft", "confirmed", "shipped")
    assert wf.allowed_from("shipped") == ["done", "cancel"]
    alone = workflow_of(registry_for(frozenset({"loomtest_alpha"}), ROOTS), "alpha.order")
    assert "ship" not in alone.transitions  # another installed set keeps alpha's own workflow


def test_extensions_merge_and_conflicts_name_the_model():
    base = Workflow(states=("draft", "done"), transitions=(Transition("finish", "draft", "done", hook="on_x"),))
    more = Workflow(states=("held",), transitions=(Transition("finish", "held", guards=("_check",)),
                                                   Transition("hold", "draft", "held")))
    merged = base.merged(more, "m.doc")
    assert merged.states == ("draft", "done", "held")
    assert merged.transitions[0] == Transition("finish", ("draft", "held"), "done", guards=("_check",), hook="on_x")
    with pytest.raises(ConfigurationError) as conflict:
        base.merged(Workflow(transitions=(Transition("finish", "draft", "held"),)), "m.doc")
    assert conflict.value.params["model"] == "m.doc" and conflict.value.params["other"] == "held"


def test_models_without_a_workflow_say_so(env):
    assert find_workflow(env.registry, "base.partner") is None
    with pytest.raises(UserError) as refused:
        env["base.partner"].transition("confirm", [])
    assert refused.value.message_id == "kernel.workflow_none"


@pytest.fixture(scope="module")
def scratch_registry():
    """A registry of its own: its alpha order class gets a faulty extra declaration per test."""
    from loom.kernel.manifest import discover
    from loom.kernel.registry import Registry

    return Registry(["loomtest_alpha"], discover(extra_paths=ROOTS))


@pytest.mark.parametrize(("declared", "message_id", "named"), [
    (Workflow(transitions=(Transition("lose", "draft", "nowhere"),)), "workflow_transition_states_invalid", "nowhere"),
    (Workflow(transitions=(Transition("check", "draft", "done", guards=("_nope",)),)), "workflow_method_missing",
     "_nope"),
    (Workflow(transitions=(Transition("tell", "draft", "done", hook="on_nothing"),)), "workflow_hook_unknown",
     "on_nothing"),
    (Workflow(transitions=(Transition("tell", "draft", "done", hook="on_transition"),)), "workflow_hook_arguments",
     "env, model, transition, records"),
    (Workflow(states=("limbo",)), "workflow_states_not_selectable", "limbo"),
    (Workflow(field="name"), "workflow_state_field_writable", "name"),
])
def test_a_wrongly_declared_workflow_is_a_configuration_error_naming_the_problem(scratch_registry, monkeypatch,
                                                                                  declared, message_id, named):
    monkeypatch.setattr(scratch_registry["alpha.order"], "__workflow__", declared, raising=False)
    with pytest.raises(ConfigurationError) as wrong:
        workflow_of(scratch_registry, "alpha.order")
    assert wrong.value.message_id == f"kernel.{message_id}"
    assert "alpha.order" in str(wrong.value) and named in str(wrong.value)


def test_a_batch_from_several_states_records_each_orders_own_previous_state(env):
    from loom.kernel.timeline import timeline

    draft, confirmed = draft_orders(env, 2)
    env["alpha.order"].transition("confirm", [confirmed])
    env["alpha.order"].transition("cancel", [draft, confirmed])
    last = [timeline(env, "alpha.order", o.id)[-1] for o in (draft, confirmed)]
    assert [(e["from_state"], e["to_state"]) for e in last] == [("draft", "cancelled"), ("confirmed", "cancelled")]
    assert [o.version for o in (draft, confirmed)] == [
        env.session.scalar(select(env.registry["alpha.order"].version).where(env.registry["alpha.order"].id == o.id))
        for o in (draft, confirmed)]
    env["alpha.order"].write([draft], {"name": "still editable"}, expected_version=draft.version)


def test_a_batch_larger_than_a_domain_list_goes_through_whole(env):
    orders = draft_orders(env, 1001)
    done = env["alpha.order"].transition("cancel", [o.id for o in orders] + [orders[0].id])
    assert len(done) == 1001 and {o.state for o in done} == {"cancelled"}


def test_orders_of_a_refused_batch_stay_editable(env):
    from loom.kernel.workflow import add_rule

    add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                   "amount_field": "amount_total", "threshold": "1000"})
    small, (big, cancelled) = draft_orders(env, 1)[0], draft_orders(env, 2, price="5000")
    env["alpha.order"].transition("cancel", [cancelled])
    with pytest.raises(UserError):  # small is confirmed, then the big ones cannot all wait: all undone
        env["alpha.order"].transition("confirm", [small, big, cancelled])
    assert [o.state for o in (small, big, cancelled)] == ["draft", "draft", "cancelled"]
    env["alpha.order"].write([small, big], {"name": "edited after the refusal"})
