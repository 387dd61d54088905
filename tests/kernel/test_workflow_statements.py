"""A batch transition issues the same statements for 1, 10 or 100 records.

Story: a clerk cancels draft orders in batches of 1, 10 and 100. Each call reads the records once
(access-checked), opens a savepoint, moves every record with one guarded UPDATE (``WHERE id IN
(...) AND state = 'draft'``, the returned rows counted), writes every timeline row with one
INSERT (an executemany counts once) and releases the savepoint: 5 statements, whatever the size.
Approval rules add one SELECT for the transition's rules and one per rule, never per record.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from loom.kernel.environment import Environment
from loom.kernel.workflow import Transition, add_rule, workflow_of
from loom_test_support import rolled_back
from loomtest_alpha.testing import draft_orders, person

#: read the records, SAVEPOINT, UPDATE ... RETURNING, INSERT the timeline rows, RELEASE SAVEPOINT
PLAIN = 5
#: PLAIN + the rules of the transition + one SELECT for the one rule (which holds nothing here)
WITH_ONE_RULE = PLAIN + 2


@contextmanager
def counting(engine):
    seen = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def alpha(installed):
    return installed("loomtest_alpha")


def statements_to(alpha, transition, size, *, rule=False):
    with rolled_back(alpha) as env:
        clerk = Environment(env.registry, env.session, uid=person(env, "clerk", "loomtest_alpha.clerk").id)
        if rule:
            add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                           "amount_field": "amount_total", "threshold": "1000000"})
        orders = draft_orders(env, size)
        clerk["alpha.order"].browse([orders[0].id], perm="write")  # load the clerk's grants and rules first
        with counting(alpha.engine) as seen:
            done = clerk["alpha.order"].transition(transition, orders)
        assert {o.state for o in done} == {"cancelled" if transition == "cancel" else "confirmed"}
        return seen


@pytest.mark.parametrize("size", [1, 10, 100])
def test_cancelling_a_batch_takes_five_statements_whatever_its_size(alpha, size):
    seen = statements_to(alpha, "cancel", size)
    assert len(seen) == PLAIN, seen
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in seen) == 1


@pytest.mark.parametrize("size", [1, 10, 100])
def test_an_approval_rule_adds_statements_per_rule_not_per_record(alpha, size, monkeypatch):
    wf = workflow_of(alpha.registry, "alpha.order")  # confirm without alpha's per-order numbering:
    monkeypatch.setitem(wf.transitions, "confirm", Transition("confirm", "draft", "confirmed", approval=True))
    seen = statements_to(alpha, "confirm", size, rule=True)
    assert len(seen) == WITH_ONE_RULE, seen
