"""The transactional outbox: what the business commits leaves exactly once in effect, in order.

Stories (RELIABILITY.md F5, scaled for CI): committed events are all delivered and rolled-back
ones never; a receiver that fails three times is retried with capped backoff and takes effect
once; the events of one order arrive in the order they were written while other orders flow
past a stuck one; an event that keeps failing is dead after the last attempt, shows in the
status, and can be put back.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from loom.kernel.db import WRITE, create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import MissingError, ValidationError
from loom.kernel.installer import ModuleManager
from loom.kernel.jobs import Worker, open_queue
from loom.kernel.outbox import RetryPolicy, emit
from loom.kernel.outbox.policy import utc_now
from loom.kernel.outbox.status import outbox_status, retry_events
from loom_test_support import ROOTS, Installed, clear_outbox, committed_shop, size

TOPIC = "alpha.order.confirmed"


class Clock:
    """The real time plus however far a test has moved it on."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self):
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with alpha installed (outbox tests need real commits)."""
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(autouse=True)
def empty_outbox(shop):
    """Each story starts with an empty outbox and no receipts."""
    clear_outbox(shop)


@pytest.fixture
def receiver(tmp_path, monkeypatch):
    """The file alpha's stand-in receiver writes every delivery it sees to."""
    path = tmp_path / "receiver.log"
    monkeypatch.setenv("LOOMTEST_ALPHA_RECEIVER", str(path))
    return path


def deliveries(path) -> list[tuple[str, int, str]]:
    """(event id, attempt, ok|fail) per delivery the receiver saw, in order."""
    if not path.exists():
        return []
    return [(event_id, int(attempt), outcome)
            for event_id, attempt, outcome in (line.split() for line in path.read_text().splitlines())]


def in_unit(shop, work, write=True):
    """Run ``work(env)`` in one committed unit of work as the superuser."""
    return run_unit_of_work(shop.engine, lambda session: work(Environment(shop.registry, session, su=True)),
                            write=write)


def emit_orders(shop, order_ids, payload=None) -> list[str]:
    """Commit one confirmation event per order id."""
    return in_unit(shop, lambda env: emit(env, TOPIC, [dict(payload or {}, n=i) for i in range(len(order_ids))],
                                          model="alpha.order", ids=order_ids))


def worker_for(shop, clock=None, **policy) -> Worker:
    """A worker on the shop with huey in immediate mode (tasks run in the relaying thread)."""
    policy = RetryPolicy(clock=clock or Clock(), **policy)
    return Worker(shop.engine, shop.registry, open_queue(shop.url, immediate=True), policy=policy)


def status(shop) -> dict:
    return in_unit(shop, outbox_status, write=False)


def receipts(shop) -> int:
    table = shop.registry["loom.processed_event"].__table__
    return in_unit(shop, lambda env: env.session.scalar(select(func.count()).select_from(table)), write=False)


def test_committed_events_are_all_delivered_and_rolled_back_ones_never(shop, receiver):
    committed = size(ci=600, full=10_000)
    rolled_back_ids: list[str] = []
    kept = []
    for start in range(0, committed, 200):
        kept += emit_orders(shop, [1000 + i % 37 for i in range(start, start + 200)])

    def abandoned(env):
        rolled_back_ids.extend(emit(env, TOPIC, [{}] * (committed // 3), model="alpha.order",
                                    ids=[5000 + i for i in range(committed // 3)]))
        raise RuntimeError("the business action failed after emitting")

    with pytest.raises(RuntimeError):
        in_unit(shop, abandoned)

    assert status(shop)["oldest_pending_age"] >= 0
    worker_for(shop).run_once()

    seen = deliveries(receiver)
    assert sorted(event_id for event_id, _, outcome in seen if outcome == "ok") == sorted(kept)
    assert not set(rolled_back_ids) & {event_id for event_id, _, _ in seen}
    assert status(shop)["counts"] == {"pending": 0, "relayed": 0, "delivered": committed, "dead": 0}
    assert status(shop)["oldest_pending_age"] is None
    assert receipts(shop) == committed


def test_a_receiver_failing_three_times_is_retried_with_capped_backoff_and_takes_effect_once(shop, receiver):
    clock = Clock()
    worker = worker_for(shop, clock, backoff_base=timedelta(seconds=10), backoff_cap=timedelta(seconds=25))
    [event_id] = emit_orders(shop, [7], {"fail_first": 3})
    table = shop.registry["loom.outbox_event"].__table__

    def due_in() -> float:
        due = in_unit(shop, lambda env: env.session.scalar(select(table.c.next_attempt_at)), write=False)
        due = due if due.tzinfo else due.replace(tzinfo=clock().tzinfo)
        return round((due - clock()).total_seconds())

    waits = []
    for _attempt in range(3):
        worker.run_once()
        waits.append(due_in())
        assert worker.run_once()["relayed"] == 0  # not due again before its backoff
        clock.advance(waits[-1] + 1)
    worker.run_once()

    assert waits == [10, 20, 25]  # doubling, capped at 25 s
    assert deliveries(receiver) == [(event_id, 1, "fail"), (event_id, 2, "fail"), (event_id, 3, "fail"),
                                    (event_id, 4, "ok")]
    assert status(shop)["counts"]["delivered"] == 1
    assert receipts(shop) == 1


def test_events_of_one_order_arrive_in_the_order_they_were_written(shop, receiver):
    clock = Clock()
    worker = worker_for(shop, clock, backoff_base=timedelta(seconds=5), backoff_cap=timedelta(seconds=5))
    stuck = emit_orders(shop, [1], {"fail_first": 2})[:1]
    written = {1: stuck + emit_orders(shop, [1] * 4), 2: emit_orders(shop, [2] * 5), 3: emit_orders(shop, [3] * 5)}

    worker.run_once()
    first_round = {event_id for event_id, _, _ in deliveries(receiver)}
    assert first_round == {stuck[0], *written[2], *written[3]}  # order 1 waits behind its failing event
    while status(shop)["counts"]["pending"]:
        clock.advance(6)
        worker.run_once()

    arrived = [event_id for event_id, _, outcome in deliveries(receiver) if outcome == "ok"]
    for order_events in written.values():
        assert [e for e in arrived if e in order_events] == order_events


def test_an_event_failing_every_attempt_is_dead_shows_in_the_status_and_can_be_retried(shop, receiver):
    clock = Clock()
    worker = worker_for(shop, clock, max_attempts=3, backoff_base=timedelta(seconds=1))
    [doomed] = emit_orders(shop, [9], {"fail_first": 99})
    [behind] = emit_orders(shop, [9])
    for _attempt in range(3):
        worker.run_once()
        clock.advance(10)
    worker.run_once()

    report = status(shop)
    assert report["counts"] == {"pending": 0, "relayed": 0, "delivered": 1, "dead": 1}
    assert report["dead"][0]["event_id"] == doomed
    assert report["dead"][0]["attempts"] == 3
    assert "receiver unavailable (attempt 3)" in report["dead"][0]["last_error"]
    assert [e for e, _, outcome in deliveries(receiver) if outcome == "ok"] == [behind]  # a dead event blocks no one

    assert in_unit(shop, lambda env: retry_events(env, [doomed])) == 1
    assert status(shop)["counts"]["pending"] == 1
    worker.run_once()
    assert deliveries(receiver)[-1] == (doomed, 1, "fail")  # attempts start again from one


def test_retrying_an_unknown_event_names_it_and_requeues_nothing(shop):
    [event_id] = emit_orders(shop, [4])
    with pytest.raises(MissingError) as caught:
        in_unit(shop, lambda env: retry_events(env, [event_id, "no-such-event"]))
    assert caught.value.params["event_id"] == "no-such-event"


def test_a_worker_that_died_after_claiming_is_replaced_when_its_lease_runs_out(shop, receiver):
    clock = Clock()
    [event_id] = emit_orders(shop, [11])
    from loom.kernel.outbox.relay import claim_due

    policy = RetryPolicy(clock=clock, lease=timedelta(seconds=30))
    table = shop.registry["loom.outbox_event"].__table__
    claimed = run_unit_of_work(shop.engine, lambda session: claim_due(session, table, policy, 10))
    assert [e.event_id for e in claimed] == [event_id]  # ... and the worker dies here
    worker = worker_for(shop, clock, lease=timedelta(seconds=30))
    assert worker.run_once()["relayed"] == 0
    clock.advance(31)
    worker.run_once()
    assert deliveries(receiver) == [(event_id, 2, "ok")]
    assert status(shop)["counts"]["delivered"] == 1


def test_confirming_orders_emits_one_event_per_order_in_the_confirmation(shop):
    from loomtest_alpha.order import confirm

    def confirm_two(env):
        partner = env["base.partner"].create({"name": "Outbox Buyer"})
        orders = [env["alpha.order"].create({"partner_id": partner.id, "lines": [{"quantity": "2", "price": "4.5"}]})
                  for _ in range(2)]
        confirm(env, orders)
        return [order.id for order in orders]

    ids = in_unit(shop, confirm_two)
    table = shop.registry["loom.outbox_event"].__table__
    rows = in_unit(shop, lambda env: env.session.execute(
        select(table.c.topic, table.c.aggregate_id, table.c.payload).order_by(table.c.id)).all(), write=False)
    assert [(row.topic, row.aggregate_id, row.payload["amount_total"]) for row in rows] == \
        [(TOPIC, ids[0], "9.0000"), (TOPIC, ids[1], "9.0000")]


def test_a_large_batch_is_written_with_one_insert_per_thousand_events(shop):
    inserts = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO loom_outbox_event"):
            inserts["statements"] += 1

    sa_event.listen(shop.engine, "before_cursor_execute", count)
    try:
        emitted = in_unit(shop, lambda env: emit(env, TOPIC, [{}] * 2500, model="alpha.order", ids=range(2500)))
    finally:
        sa_event.remove(shop.engine, "before_cursor_execute", count)
    assert len(set(emitted)) == 2500
    assert inserts["statements"] == 3


@pytest.mark.parametrize(("arguments", "field"), [
    (("Not A Topic", [{}], "alpha.order", [1]), "topic"),
    ((TOPIC, [{}, {}], "alpha.order", [1]), "payloads"),
    ((TOPIC, [{}], "alpha.nothing", [1]), "model"),
    ((TOPIC, [{}], "alpha.order", ["one"]), "ids"),
    ((TOPIC, [{"when": object()}], "alpha.order", [1]), "payloads"),
])
def test_a_malformed_event_is_refused_naming_the_field_and_nothing_is_written(shop, arguments, field):
    topic, payloads, model, ids = arguments
    with pytest.raises(ValidationError) as caught:
        in_unit(shop, lambda env: emit(env, topic, payloads, model=model, ids=ids))
    assert caught.value.field == field
    assert status(shop)["counts"]["pending"] == 0


def test_two_relays_at_once_claim_every_event_exactly_once(shop):
    import threading

    from loom.kernel.outbox.relay import claim_due

    emitted = emit_orders(shop, list(range(400)))
    table = shop.registry["loom.outbox_event"].__table__
    policy = RetryPolicy()
    claimed: list[list[str]] = [[], []]

    def relay(mine):
        while batch := run_unit_of_work(shop.engine, lambda session: claim_due(session, table, policy, 25)):
            mine.extend(event.event_id for event in batch)

    threads = [threading.Thread(target=relay, args=(claimed[i],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed[0] + claimed[1]) == sorted(emitted)


def test_a_relay_skips_the_events_another_relay_holds_instead_of_waiting(shop, backend):
    if backend == "sqlite":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): a second relay waits for the first's commit")
    from sqlalchemy.orm import Session

    from loom.kernel.outbox.relay import claim_due

    emit_orders(shop, list(range(10)))
    table = shop.registry["loom.outbox_event"].__table__
    policy = RetryPolicy()
    with Session(shop.engine) as first, first.begin():
        held = claim_due(first, table, policy, 4)  # not committed: its rows stay locked
        with Session(shop.engine) as second, second.begin():
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            others = claim_due(second, table, policy, 100)
    assert len(held) == 4 and len(others) == 6
    assert not {e.event_id for e in held} & {e.event_id for e in others}


def test_a_module_that_leaves_takes_its_events_and_receipts_with_it(database_factory, receiver):
    url = database_factory()
    engine = create_engine(url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["loomtest_alpha"])
    alpha = Installed(url, engine, manager)
    emit_orders(alpha, [1, 2], {"fail_first": 0})
    worker_for(alpha).run_once()
    emit_orders(alpha, [3])  # still pending when alpha leaves
    kept = in_unit(alpha, lambda env: emit(env, "kernel.check.completed", [{}], model=None, ids=[None]))

    manager.uninstall("loomtest_alpha")

    left = Installed(url, engine, ModuleManager(engine, roots=ROOTS))
    events = left.registry["loom.outbox_event"].__table__
    assert in_unit(left, lambda env: list(env.session.scalars(select(events.c.event_id))), write=False) == kept
    assert receipts(left) == 0
    engine.dispose()


def test_a_duplicate_delivery_of_a_delivered_event_does_not_reach_the_consumer_again(shop, receiver):
    from loom.kernel.outbox.delivery import deliver
    from loom.kernel.outbox.relay import claim_due

    [event_id] = emit_orders(shop, [12])
    policy = RetryPolicy()
    table = shop.registry["loom.outbox_event"].__table__
    [event] = run_unit_of_work(shop.engine, lambda session: claim_due(session, table, policy, 10))
    deliver(shop.engine, shop.registry, event, policy)
    deliver(shop.engine, shop.registry, event, policy)  # the same task, handed out twice

    assert deliveries(receiver) == [(event_id, 1, "ok")]
    assert receipts(shop) == 1


def test_a_second_transaction_about_the_same_record_waits_so_events_leave_in_commit_order(shop):
    partner_id = run_unit_of_work(shop.engine, lambda s: Environment(shop.registry, s, su=True)[
        "base.partner"].create({"name": "Busy Customer Co."}).id)
    first = Session(shop.engine)
    first.begin()
    first.connection(execution_options={WRITE: True})
    emit(Environment(shop.registry, first, su=True), "demo.partner.changed", [{"n": 1}],
         model="base.partner", ids=[partner_id])
    second = threading.Thread(target=run_unit_of_work, args=(shop.engine, lambda s: emit(
        Environment(shop.registry, s, su=True), "demo.partner.changed", [{"n": 2}],
        model="base.partner", ids=[partner_id])))
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second emit committed while an earlier event of the record was open"
    first.commit()
    first.close()
    second.join(10)

    def order(session):
        table = shop.registry["loom.outbox_event"].__table__
        return [row.payload["n"] for row in session.execute(
            select(table.c.payload).where(table.c.aggregate_id == partner_id).order_by(table.c.id))]

    assert run_unit_of_work(shop.engine, order, write=False) == [1, 2]
