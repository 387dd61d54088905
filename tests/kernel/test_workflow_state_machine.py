"""No illegal transition ever succeeds: random transitions on random alpha orders, checked against
a pure-Python model of alpha's workflow (with its approval rule) after every step.

Each run has five orders, two of them over the 10,000 approval threshold. Steps: any transition
on any non-empty subset of orders (legal only when every order is in one of its sources; big
orders confirmed go to ``waiting_approval``), approving or rejecting one order as a manager,
editing an open order's quantity. A refused step must change nothing; editing a waiting order
sends it back; and after every step a document waits for approval exactly when it has pending
requests (the ``kernel.approvals`` check). Example counts follow the test profile (``size()``).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from loom.kernel.environment import Environment
from loom.kernel.errors import UserError
from loom.kernel.workflow import add_rule, approve, reject
from loom.kernel.workflow.checks import approvals_consistent
from loom_test_support import rolled_back, size
from loomtest_alpha.testing import draft_orders, person

#: alpha's workflow as plain data: transition -> (sources, target)
ALPHA = {"confirm": ({"draft"}, "confirmed"), "done": ({"confirmed"}, "done"),
         "cancel": ({"draft", "confirmed"}, "cancelled"), "reset": ({"cancelled"}, "draft")}
PRICES = ("100", "12000", "500", "15000", "900")


def machine_for(alpha):
    class AlphaWorkflow(RuleBasedStateMachine):
        """Random transitions, approvals and rejections against the model."""

        def __init__(self):
            super().__init__()
            self._scope = rolled_back(alpha)
            self.env = self._scope.__enter__()
            add_rule(self.env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                                "amount_field": "amount_total", "threshold": "10000"})
            self.clerk = Environment(self.env.registry, self.env.session,
                                     uid=person(self.env, "clerk", "loomtest_alpha.clerk").id)
            self.manager = Environment(self.env.registry, self.env.session,
                                       uid=person(self.env, "boss", "loomtest_alpha.manager").id)
            self.orders = [draft_orders(self.env, 1, price=price)[0] for price in PRICES]
            self.big = {o.id for o, price in zip(self.orders, PRICES, strict=True) if int(price) > 10000}
            self.model = {o.id: "draft" for o in self.orders}
            self.before = {}  # order id -> state before waiting_approval

        def teardown(self):
            self._scope.__exit__(None, None, None)

        @rule(name=st.sampled_from(sorted(ALPHA)), picks=st.sets(st.integers(0, len(PRICES) - 1), min_size=1))
        def transition(self, name, picks):
            chosen = [self.orders[i] for i in sorted(picks)]
            sources, target = ALPHA[name]
            legal = all(self.model[o.id] in sources for o in chosen)
            if not legal:
                with pytest.raises(UserError) as refused:
                    self.clerk["alpha.order"].transition(name, chosen)
                assert refused.value.message_id == "kernel.transition_not_allowed"
                return
            self.clerk["alpha.order"].transition(name, chosen)
            for order in chosen:
                waits = name == "confirm" and order.id in self.big
                if waits:
                    self.before[order.id] = self.model[order.id]
                self.model[order.id] = "waiting_approval" if waits else target

        @rule(pick=st.integers(0, len(PRICES) - 1), accept=st.booleans())
        def decide(self, pick, accept):
            order = self.orders[pick]
            if self.model[order.id] != "waiting_approval":
                with pytest.raises(UserError) as refused:
                    approve(self.manager, "alpha.order", [order.id]) if accept else reject(
                        self.manager, "alpha.order", [order.id], "no")
                assert refused.value.message_id == "kernel.approval_not_waiting"
                return
            if accept:
                approve(self.manager, "alpha.order", [order.id])
                self.model[order.id] = "confirmed"
            else:
                reject(self.manager, "alpha.order", [order.id], "too expensive")
                self.model[order.id] = self.before[order.id]

        @rule(pick=st.integers(0, len(PRICES) - 1))
        def edit(self, pick):
            order = self.orders[pick]
            if self.model[order.id] not in ("draft", "waiting_approval"):
                return  # alpha keeps the amount of done orders immutable (a trigger); edit open ones only
            line = order.lines[0]
            quantity = "2" if line.quantity == 1 else "1"  # stays on the same side of the threshold
            self.clerk["alpha.order"].write([order], {"lines": {"update": [{"id": line.id, "quantity": quantity}]}})
            if self.model[order.id] == "waiting_approval":
                self.model[order.id] = self.before[order.id]

        @invariant()
        def states_match_the_model(self):
            cls = self.env.registry["alpha.order"]
            stored = dict(self.env.session.execute(select(cls.id, cls.state).where(cls.id.in_(list(self.model)))).all())
            assert stored == self.model
            assert list(approvals_consistent(self.env)) == []

    return AlphaWorkflow


def test_no_illegal_transition_ever_succeeds(installed):
    alpha = installed("loomtest_alpha")
    run_state_machine_as_test(machine_for(alpha), settings=settings(
        max_examples=size(25, 200), stateful_step_count=size(15, 40), deadline=None,
        suppress_health_check=[HealthCheck.too_slow]))
