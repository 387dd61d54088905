"""Outbox relay throughput: events per second from the outbox into huey, per database and queue.

For each database (SQLite file, PostgreSQL) 10,000 committed events (one per record, so all are
due at once) are relayed by ``Worker.relay()``: set-based claims of 500 events (one
``UPDATE ... RETURNING``, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and one bulk enqueue per
batch, into ``SqliteHuey`` (a file beside the database) and ``RedisHuey``. Two baselines in the
same run: the claims alone (no queue), and raw SQL selecting and marking the same rows in batches
of 500 without huey. The figure is the median over ``--runs`` runs; the target is 2,000 events/s.
For scale, the last row is the other side: the relayed events delivered from SqliteHuey by one
thread to one consumer (alpha's stand-in receiver; one transaction per event with its receipt).

    python benchmarks/outbox_relay.py [--events 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _common import (
    FIXTURES,
    in_bench_venv,
    pg_available,
    pg_databases,
    print_table,
    psycopg_url,
    reexec_in_venv,
    scratch_dir,
    stop_cleanly_on_sigterm,
    write_results,
)

TARGET_PER_SECOND = 2000
REDIS_URL = os.environ.get("LOOM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
BATCH = 500


def _redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - no server: skip the Redis figures
        return False


def _prepare(url: str):
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    engine = create_engine(url)
    manager = ModuleManager(engine, roots=(str(FIXTURES),))
    manager.install(["loomtest_alpha"])
    return engine, manager.registry(manager.installed())


def _fill(engine, registry, events: int) -> None:
    """An outbox holding ``events`` due events, one per record, and nothing else."""
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.outbox import emit

    def unit(session):
        for model in ("loom.outbox_event", "loom.processed_event"):
            session.execute(registry[model].__table__.delete())
        env = Environment(registry, session, su=True)
        emit(env, "alpha.order.confirmed", [{"n": i, "amount": "12.50"} for i in range(events)],
             model="alpha.order", ids=range(1, events + 1))

    run_unit_of_work(engine, unit)


def _raw_sql(engine, registry) -> int:
    """Select and mark the due rows in batches of 500 with plain SQL: the floor of the database work."""
    from sqlalchemy import text

    marked = 0
    while True:
        with engine.connect() as conn, conn.begin():
            rows = conn.execute(text("SELECT id, event_id, topic, aggregate_model, aggregate_id, payload, company_id, "
                                     "attempts FROM loom_outbox_event WHERE state = 'pending' ORDER BY id LIMIT :n"),
                                {"n": BATCH}).all()
            if rows:
                conn.execute(text("UPDATE loom_outbox_event SET state = 'relayed', attempts = attempts + 1 "
                                  "WHERE id IN (" + ",".join(str(row.id) for row in rows) + ")"))
        marked += len(rows)
        if len(rows) < BATCH:
            return marked


def _claims_only(engine, registry) -> int:
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.outbox import RetryPolicy
    from loom.kernel.outbox.relay import claim_due

    table, policy, total = registry["loom.outbox_event"].__table__, RetryPolicy(), 0
    while True:
        claimed = run_unit_of_work(engine, lambda session: claim_due(session, table, policy, BATCH))
        total += len(claimed)
        if len(claimed) < BATCH:
            return total


def _relay(engine, registry, url: str, jobs_url: str | None) -> int:
    from loom.kernel.jobs import Worker, open_queue

    queue = open_queue(url, jobs_url=jobs_url)
    queue.storage.flush_queue()
    try:
        return Worker(engine, registry, queue, batch=BATCH).relay()
    finally:
        queue.storage.flush_queue()


def _deliver(engine, registry, url: str, jobs_url: str):
    """A worker whose queue holds a delivery task per due event (relayed untimed); time its ``drain``."""
    from loom.kernel.jobs import Worker, open_queue

    queue = open_queue(url, jobs_url=jobs_url)
    worker = Worker(engine, registry, queue, batch=BATCH)
    worker.relay()
    return worker


def _measure(engine, registry, events: int, runs: int, work, prepare=None) -> dict:
    rates = []
    for _ in range(runs):
        _fill(engine, registry, events)
        if prepare is not None:
            work = prepare()
        start = time.perf_counter()
        done = work()
        elapsed = time.perf_counter() - start
        if done != events:
            raise RuntimeError(f"relayed {done} of {events} events")
        rates.append(events / elapsed)
    return {"median_per_s": statistics.median(rates), "min_per_s": min(rates), "max_per_s": max(rates),
            "samples_per_s": [round(r, 1) for r in rates]}


def _database_figures(url: str, events: int, runs: int, redis: bool) -> dict:
    engine, registry = _prepare(url)
    try:
        figures = {"raw SQL select + mark (baseline)": _measure(engine, registry, events, runs,
                                                                 lambda: _raw_sql(engine, registry)),
                   "loom claims only (no queue)": _measure(engine, registry, events, runs,
                                                           lambda: _claims_only(engine, registry)),
                   "loom relay -> SqliteHuey": _measure(engine, registry, events, runs,
                                                        lambda: _relay(engine, registry, url, "sqlite:///" + str(
                                                            Path(os.environ["LOOM_BENCH_TMP"]) / "jobs.db")))}
        if redis:
            figures["loom relay -> RedisHuey"] = _measure(engine, registry, events, runs,
                                                          lambda: _relay(engine, registry, url, REDIS_URL))
        jobs = "sqlite:///" + str(Path(os.environ["LOOM_BENCH_TMP"]) / "deliver.jobs.db")
        figures["delivery from SqliteHuey, 1 thread, 1 consumer"] = _measure(
            engine, registry, events, runs, None, prepare=lambda: _deliver(engine, registry, url, jobs).drain)
        return figures
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="run under benchmarks/.venv-bench (non-editable install)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.venv:
        reexec_in_venv([__file__, *sys.argv[1:]])
    sys.path.insert(0, str(FIXTURES))
    redis = _redis_available()
    results: dict[str, dict] = {}
    with scratch_dir("loom-bench-outbox-") as tmp:
        os.environ["LOOM_BENCH_TMP"] = str(tmp)
        results["sqlite"] = _database_figures(f"sqlite:///{tmp / 'shop.db'}", args.events, args.runs, redis)
        if pg_available():
            with pg_databases() as new:
                _name, url = new()
                results["postgresql"] = _database_figures(psycopg_url(url),
                                                          args.events, args.runs, redis)
    rows = [[database, how, round(f["median_per_s"]), round(f["min_per_s"]), round(f["max_per_s"]),
             "" if not how.startswith("loom relay") else ("ok" if f["median_per_s"] >= TARGET_PER_SECOND
                                                          else "MISS")]
            for database, figures in results.items() for how, f in figures.items()]
    installation = "venv (pip install)" if in_bench_venv() else f"current interpreter ({sys.executable})"
    print_table(f"Outbox relay, events/s ({args.events} events, median of {args.runs}; {installation})",
                ["database", "how", "median/s", "min/s", "max/s", f">= {TARGET_PER_SECOND}/s"], rows)
    path = write_results("outbox_relay", {"installation": installation, "events": args.events, "batch": BATCH,
                                          "target_per_s": TARGET_PER_SECOND, "redis": REDIS_URL if redis else None,
                                          "figures": results})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
