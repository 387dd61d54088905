"""The outbox through real job queues: huey on SQLite (the default file beside the database), on
Redis, and on PostgreSQL. Events are relayed in bulk, in order, and run by the queue's worker."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import ConfigurationError
from loom.kernel.jobs import Worker, open_queue
from loom.kernel.outbox import emit
from loom.kernel.paths import jobs_database
from loom_test_support import clear_outbox, committed_shop

REDIS_URL = os.environ.get("LOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_URL = os.environ.get("LOOM_TEST_PG_URL", "")


@pytest.fixture(scope="module")
def shop(database_factory):
    """A committed database with alpha installed."""
    yield from committed_shop(database_factory, "loomtest_alpha")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Files beside a PostgreSQL database (the default job queue) go to a temporary folder."""
    monkeypatch.setenv("LOOM_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(autouse=True)
def empty_outbox(shop):
    """Each story starts with an empty outbox and no receipts."""
    clear_outbox(shop)


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means no server to test against
        return False


def queue_url(kind: str, database_url: str) -> str | None:
    """The LOOM_JOBS_URL of a queue kind (None: the default SQLite file beside the database;
    PostgresHuey keeps its ``huey_*`` tables in the business database itself)."""
    if kind == "redis" and not _redis_available():
        pytest.skip(f"no Redis server answers at {REDIS_URL}")
    if kind == "postgresql" and not PG_URL:
        pytest.skip("PostgresHuey is tested in the PostgreSQL run (LOOM_TEST_PG_URL), which has a server")
    return {"sqlite": None, "redis": REDIS_URL, "postgresql": database_url}[kind]


@pytest.mark.parametrize("kind", ["sqlite", "redis", "postgresql"])
def test_events_are_relayed_in_bulk_in_order_and_run_by_the_queue(shop, kind, tmp_path, monkeypatch):
    receiver = tmp_path / "receiver.log"
    monkeypatch.setenv("LOOMTEST_ALPHA_RECEIVER", str(receiver))
    queue = open_queue(shop.url, jobs_url=queue_url(kind, shop.url))
    queue.storage.flush_queue()
    ids = run_unit_of_work(shop.engine, lambda session: emit(
        Environment(shop.registry, session, su=True), "alpha.order.confirmed", [{}] * 300,
        model="alpha.order", ids=list(range(300))))
    worker = Worker(shop.engine, shop.registry, queue)

    assert worker.relay() == 300
    assert queue.pending_count() == 300
    assert [task.args[0]["event_id"] for task in queue.pending()] == ids  # first in, first out
    assert worker.drain() == 300

    seen = [line.split()[0] for line in receiver.read_text().splitlines()]
    assert seen == ids
    table = shop.registry["loom.outbox_event"].__table__
    delivered = run_unit_of_work(shop.engine, lambda session: session.scalar(
        select(func.count()).select_from(table).where(table.c.state == "delivered")), write=False)
    assert delivered == 300


def test_the_default_queue_is_a_sqlite_file_beside_the_database(shop, monkeypatch):
    monkeypatch.delenv("LOOM_JOBS_URL", raising=False)
    queue = open_queue(shop.url)
    assert type(queue).__name__ == "SqliteHuey"
    assert queue.storage.filename == str(jobs_database(shop.url))


def test_an_unknown_queue_url_is_refused_naming_it(shop):
    with pytest.raises(ConfigurationError) as caught:
        open_queue(shop.url, jobs_url="amqp://rabbit:5672/")
    assert "amqp://rabbit" in str(caught.value)


def test_immediate_mode_raises_a_task_error_where_the_task_was_enqueued(shop):
    from loom.kernel.jobs import enqueue_many

    queue = open_queue(shop.url, immediate=True)

    @queue.task(name="test.broken")
    def broken():
        raise RuntimeError("the job broke")

    with pytest.raises(Exception, match="the job broke"):
        enqueue_many(queue, [broken.s()])


def test_a_relay_with_a_limit_leaves_the_rest_for_later(shop):
    queue = open_queue(shop.url, jobs_url=queue_url("sqlite", shop.url))
    queue.storage.flush_queue()
    run_unit_of_work(shop.engine, lambda session: emit(
        Environment(shop.registry, session, su=True), "alpha.order.confirmed", [{}] * 300,
        model="alpha.order", ids=list(range(300))))
    worker = Worker(shop.engine, shop.registry, queue, batch=50)

    assert worker.relay(120) == 120  # the worker keeps its queue short: no lease runs out while waiting
    assert queue.pending_count() == 120
    assert worker.relay() == 180
    queue.storage.flush_queue()
