"""Business hooks run inside the caller's unit of work.

Stories: when confirming orders, the bridge opens a ticket for each; if any module's hook fails,
the confirmation is rolled back entirely (no confirmed order, no ticket) and the error names the
module and the hook. ``LOOM_TRACE_HOOKS=1`` shows each call with its implementations.
"""

from __future__ import annotations

import pytest

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.hooks import build_plugin_manager, hook_table, hookimpl
from loom.kernel.registry import registry_for
from loom_test_support import ROOTS
from loomtest_alpha import hookspecs as alpha_specs
from loomtest_alpha.order import confirm


class Failing:
    """A test plugin whose reaction to confirmed orders fails."""

    @hookimpl
    def on_alpha_confirmed(self, env, orders):
        """Fail after the bridge has already opened its tickets."""
        raise RuntimeError("the warehouse system is unreachable")


def draft_order(item) -> int:
    def unit(session):
        env = Environment(item.registry, session, su=True)
        partner = env["base.partner"].create({"name": "Hook Test Co."})
        return env["alpha.order"].create({"partner_id": partner.id,
                                          "lines": [{"quantity": "2", "price": "3.50"}]}).id

    return run_unit_of_work(item.engine, unit)


def test_confirming_opens_a_ticket_through_the_bridge(installed):
    item = installed("loomtest_alpha", "loomtest_beta")
    order_id = draft_order(item)

    def unit(session):
        env = Environment(item.registry, session, su=True)
        (order,) = confirm(env, env["alpha.order"].browse([order_id]))
        return order.state, order.ticket.subject

    state, subject = run_unit_of_work(item.engine, unit)
    assert state == "confirmed" and subject.startswith("Follow up AO")


def test_a_hook_that_raises_rolls_the_whole_confirmation_back(installed):
    item = installed("loomtest_alpha", "loomtest_beta")
    order_id = draft_order(item)
    pm = item.registry.pm
    pm.register(Failing(), name="loomtest_alpha_beta:failing")
    try:
        def unit(session):
            env = Environment(item.registry, session, su=True)
            confirm(env, env["alpha.order"].browse([order_id]))

        with pytest.raises(RuntimeError) as caught:
            run_unit_of_work(item.engine, unit)
    finally:
        pm.unregister(name="loomtest_alpha_beta:failing")
    assert caught.value.loom_hook == ("on_alpha_confirmed", "loomtest_alpha_beta")
    assert "hook 'on_alpha_confirmed' implemented by module 'loomtest_alpha_beta'" in caught.value.__notes__[0]

    def look(session):
        env = Environment(item.registry, session, su=True)
        order = env["alpha.order"].get(order_id)
        tickets = env["beta.ticket"].count([["subject", "like", "Follow up"], ["partner_id", "=", order.partner_id]])
        return order.state, order.ticket_id, tickets

    assert run_unit_of_work(item.engine, look, write=False) == ("draft", None, 0)


def test_hooks_are_listed_with_their_implementations_in_call_order():
    registry = registry_for(frozenset({"loomtest_alpha", "loomtest_beta"}), ROOTS)
    rows = {row["hook"]: row for row in hook_table(registry.pm)}
    assert rows["on_alpha_confirmed"]["owner"] == "loomtest_alpha"
    # call order: the module registered last (the bridge) first
    assert rows["on_alpha_confirmed"]["implementations"] == ["loomtest_alpha_beta", "loomtest_alpha"]
    assert rows["on_alpha_confirmed"]["signature"] == "on_alpha_confirmed(env, orders)"
    assert "loomtest_alpha" in rows["register_settings"]["implementations"]


def test_tracing_prints_every_hook_call(monkeypatch, capsys):
    monkeypatch.setenv("LOOM_TRACE_HOOKS", "1")
    pm = build_plugin_manager([("loomtest_alpha", alpha_specs)], [("loomtest_alpha_beta", Failing())])
    with pytest.raises(RuntimeError):
        pm.hook.on_alpha_confirmed(env=None, orders=[])
    err = capsys.readouterr().err
    assert "[loom hook] on_alpha_confirmed(env, orders) -> loomtest_alpha_beta" in err
    assert "raised RuntimeError" in err
