"""C5: a confirmation retried after serialization failures has its effects exactly once.

Story: a shop confirms its orders one by one while the database keeps refusing transactions, as a
busy PostgreSQL does under SERIALIZABLE load. A fault hook, running last in ``on_alpha_confirmed``
(after the order was numbered, its timeline written and its outbox event emitted), fails 30 % of
first attempts and 10 % of second attempts with a serialization failure (SQLSTATE 40001 raised by
PostgreSQL itself; on SQLite its retryable counterpart, "database is locked"). Every order ends
confirmed exactly once, with exactly one outbox event and one timeline record of the transition;
nothing is left behind by the attempts that failed. An order that fails five times in a row is
given up with ``BusyError`` and stays a draft without any event. The seed is printed; set
``LOOM_TEST_SEED`` to replay a run.
"""

from __future__ import annotations

import os
import random
import sqlite3
import types
from collections import Counter

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import BusyError
from loom.kernel.hooks import hookimpl
from loom.kernel.installer import ModuleManager
from loom_test_support import ROOTS, size
from loomtest_alpha.hooks import CONFIRMED
from loomtest_alpha.testing import alpha_database, orders_in


def serialization_failure(env) -> None:
    """Make the database refuse the transaction as a serialization conflict would."""
    if env.session.bind.dialect.name == "postgresql":  # the server itself refuses: SQLSTATE 40001
        env.session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'injected conflict' "
                                 "USING ERRCODE = 'serialization_failure'; END $$"))
    # SQLite has no SQLSTATE: its retryable refusal is SQLITE_BUSY
    raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


class FaultHook:
    """Fails the first attempt of an order with probability 30 %, the second with 10 %; the orders
    in ``always`` fail every attempt."""

    def __init__(self, seed: int, always: set[int]) -> None:
        self.seed, self.always, self.attempts = seed, always, Counter()

    @hookimpl(trylast=True)
    def on_alpha_confirmed(self, env, orders):
        """Run after alpha's own reaction (the outbox event) and fail as the schedule says."""
        for order in orders:
            self.attempts[order.id] += 1
            chance = {1: 0.3, 2: 0.1}.get(self.attempts[order.id], 0.0)
            if order.id in self.always or random.Random(f"{self.seed}:{order.id}").random() < chance:
                serialization_failure(env)


@pytest.fixture
def shop(database_url):
    alpha_database(database_url, {})
    engine = create_engine(database_url)
    yield types.SimpleNamespace(url=database_url, engine=engine,
                                registry=ModuleManager(engine, roots=ROOTS).registry({"loomtest_alpha"}))
    engine.dispose()


def test_retried_confirmations_confirm_once_with_one_event_and_one_timeline_record_each(shop):
    seed = int(os.environ.get("LOOM_TEST_SEED") or random.randrange(10**6))
    print(f"C5 seed: {seed} (LOOM_TEST_SEED={seed} replays it)")
    order_ids = orders_in(shop.url, size(ci=60, full=500))
    hopeless = order_ids[-1]
    fault = FaultHook(seed, always={hopeless})
    shop.registry.pm.register(fault, name="c5_fault:injector")
    outcomes = {}
    try:
        for order_id in order_ids:
            def confirm(session, order_id=order_id):
                env = Environment(shop.registry, session, su=True)
                env["alpha.order"].transition("confirm", env["alpha.order"].browse([order_id]))

            try:
                run_unit_of_work(shop.engine, confirm)
                outcomes[order_id] = "confirmed"
            except BusyError:
                outcomes[order_id] = "busy"
    finally:
        shop.registry.pm.unregister(name="c5_fault:injector")

    retried = [i for i in order_ids if fault.attempts[i] > 1 and i != hopeless]
    assert retried, "the schedule made no order retry: the test would prove nothing"
    assert outcomes == {**{i: "confirmed" for i in order_ids}, hopeless: "busy"}
    assert fault.attempts[hopeless] == 5

    def effects(session):
        env = Environment(shop.registry, session, su=True)
        order, event, outbox = (env.registry[m] for m in ("alpha.order", "loom.record_event", "loom.outbox_event"))
        states = dict(session.execute(select(order.id, order.state)).all())
        numbers = [n for n in session.scalars(select(order.name)) if n != "/"]
        transitions = Counter(session.scalars(select(event.res_id).where(
            event.model == "alpha.order", event.kind == "transition", event.transition == "confirm")))
        events = Counter(session.scalars(select(outbox.aggregate_id).where(outbox.topic == CONFIRMED)))
        return states, numbers, transitions, events

    states, numbers, transitions, events = run_unit_of_work(shop.engine, effects, write=False)
    done = [i for i in order_ids if i != hopeless]
    assert {i: states[i] for i in order_ids} == {**{i: "confirmed" for i in done}, hopeless: "draft"}
    assert len(numbers) == len(set(numbers)) == len(done)
    assert transitions == Counter(done)
    assert events == Counter(done)
