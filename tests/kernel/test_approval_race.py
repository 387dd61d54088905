"""Two managers approve the same order at the same moment: both approvals count, once each.

Story: an order of 12,000 needs two managers. Mia approves and, before her transaction commits,
Max approves too. Max's decision waits for Mia's (the pending requests are locked ``FOR UPDATE``
on PostgreSQL; SQLite's writer lock serializes the two units), then sees her approval and
completes the confirmation. Without the lock each would count only its own approval and the order
would wait forever with two approvals given.
"""

from __future__ import annotations

import threading
import time

from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.users import find_user
from loom.kernel.workflow import add_rule, approve
from loom_test_support import ROOTS
from loomtest_alpha.testing import alpha_database, draft_orders

MANAGER = "loomtest_alpha.manager"


def test_two_simultaneous_approvals_complete_the_order_once(database_url):
    alpha_database(database_url, {"sam": ("loomtest_alpha.clerk",), "mia": (MANAGER,), "max": (MANAGER,)})
    engine = create_engine(database_url)
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        registry = manager.registry(manager.installed())

        def as_user(session, login):
            return Environment(registry, session, uid=find_user(Environment(registry, session, su=True), login).id)

        def waiting_order(session):
            env = Environment(registry, session, su=True)
            add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": MANAGER, "approvers": 2,
                           "amount_field": "amount_total", "threshold": "10000"})
            (order,) = draft_orders(env, 1, price="12000")
            as_user(session, "sam")["alpha.order"].transition("confirm", [order])
            return order.id

        order_id = run_unit_of_work(engine, waiting_order)
        mia_decided, outcomes = threading.Event(), {}

        def mia(session):
            outcomes["mia"] = approve(as_user(session, "mia"), "alpha.order", [order_id])
            mia_decided.set()
            time.sleep(0.5)  # Max starts now, while Mia's approval is not committed yet

        def max_(session):
            outcomes["max"] = approve(as_user(session, "max"), "alpha.order", [order_id])

        first = threading.Thread(target=run_unit_of_work, args=(engine, mia))
        first.start()
        assert mia_decided.wait(10)
        run_unit_of_work(engine, max_)
        first.join(10)

        def outcome(session):
            env = Environment(registry, session, su=True)
            transitions = env["loom.record_event"].count([["res_id", "=", order_id], ["kind", "=", "transition"]])
            return env["alpha.order"].get(order_id).state, transitions

        assert outcomes == {"mia": {order_id: "waiting"}, "max": {order_id: "completed"}}
        assert run_unit_of_work(engine, outcome, write=False) == ("confirmed", 1)
    finally:
        engine.dispose()
