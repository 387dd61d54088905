"""Workflow transitions: 1,000 alpha orders cancelled in one batch call, against raw SQL doing the same writes.

For each database (SQLite file, PostgreSQL), every run first commits 1,000 fresh draft orders
(untimed), then times one unit of work, from its start to its commit:

- ``loom``: as a clerk (model permissions, record rules and company checks apply),
  ``env["alpha.order"].transition("cancel", ids)``: the access-checked read of the orders, the
  savepoint, one guarded ``UPDATE ... RETURNING``, one INSERT of 1,000 timeline rows, the hooks;
- ``raw SQL`` (the baseline, same run): on the driver's own connection, the same writes, one
  ``UPDATE alpha_order SET state, version WHERE id IN (...) AND state = 'draft'`` and one
  executemany INSERT of the 1,000 timeline rows, then commit.

Targets: 0.2 s on SQLite, 0.4 s on PostgreSQL (median of ``--runs``).

    python benchmarks/workflow_transitions.py [--records 1000] [--runs 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

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
    summarize,
    verdict,
    write_results,
)

TARGETS = {"sqlite": 0.2, "postgresql": 0.4}


def _prepare(url: str):
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loomtest_alpha.testing import person

    engine = create_engine(url)
    manager = ModuleManager(engine, roots=(str(FIXTURES),))
    manager.install(["loomtest_alpha"])
    registry = manager.registry(manager.installed())
    clerk = run_unit_of_work(engine, lambda s: person(Environment(registry, s, su=True), "clerk",
                                                      "loomtest_alpha.clerk").id)
    return engine, registry, clerk


def _drafts(engine, registry, count: int) -> list[int]:
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loomtest_alpha.testing import draft_orders

    return run_unit_of_work(engine, lambda s: [o.id for o in draft_orders(Environment(registry, s, su=True), count)])


def _loom(engine, registry, clerk: int, ids: list[int]) -> None:
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment

    def unit(session):
        done = Environment(registry, session, uid=clerk)["alpha.order"].transition("cancel", ids)
        assert len(done) == len(ids)

    run_unit_of_work(engine, unit)


def _raw(engine, clerk: int, ids: list[int]) -> None:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        sqlite = engine.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(f"UPDATE alpha_order SET state = 'cancelled', version = version + 1 "
                       f"WHERE id IN ({', '.join([mark] * len(ids))}) AND state = 'draft'", ids)
        if cursor.rowcount != len(ids):
            raise RuntimeError(f"raw SQL moved {cursor.rowcount} of {len(ids)} orders")
        now = dt.datetime.now(dt.UTC)
        stamp = now.replace(tzinfo=None).isoformat(" ") if sqlite else now
        cursor.executemany(
            "INSERT INTO loom_record_event (model, res_id, kind, user_id, at, transition, from_state, to_state, done) "
            f"VALUES ({', '.join([mark] * 9)})",
            [("alpha.order", i, "transition", clerk, stamp, "cancel", "draft", "cancelled", False) for i in ids])
        connection.commit()
    finally:
        connection.close()


def _figures(url: str, records: int, runs: int) -> dict:
    engine, registry, clerk = _prepare(url)
    samples: dict[str, list[float]] = {"raw SQL (baseline)": [], "loom transition": []}
    try:
        _loom(engine, registry, clerk, _drafts(engine, registry, records))  # warm-up: caches, plans
        for _ in range(runs):
            for how in samples:
                ids = _drafts(engine, registry, records)
                start = time.perf_counter()
                if how.startswith("raw"):
                    _raw(engine, clerk, ids)
                else:
                    _loom(engine, registry, clerk, ids)
                samples[how].append(time.perf_counter() - start)
    finally:
        engine.dispose()
    return {how: summarize(values) for how, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="run under benchmarks/.venv-bench (non-editable install)")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.venv:
        reexec_in_venv([__file__, *sys.argv[1:]])
    sys.path.insert(0, str(FIXTURES))
    results: dict[str, dict] = {}
    with scratch_dir("loom-bench-workflow-") as tmp:
        results["sqlite"] = _figures(f"sqlite:///{tmp / 'shop.db'}", args.records, args.runs)
    if pg_available():
        with pg_databases() as new:
            _name, url = new()
            results["postgresql"] = _figures(psycopg_url(url), args.records,
                                             args.runs)
    rows = []
    for database, figures in results.items():
        raw = figures["raw SQL (baseline)"]["median"]
        for how, f in figures.items():
            loom = how.startswith("loom")
            rows.append([database, how, f["median"], f["min"], f["max"], f"{f['median'] / raw:.1f}x",
                         verdict(f["median"], TARGETS[database]) if loom else ""])
    installation = "venv (pip install)" if in_bench_venv() else f"current interpreter ({sys.executable})"
    print_table(f"Transition {args.records} orders in one batch call, seconds (median of {args.runs}; {installation})",
                ["database", "how", "median s", "min s", "max s", "vs raw", "target"], rows)
    path = write_results("workflow_transitions", {
        "installation": installation, "records": args.records, "targets_s": TARGETS, "figures": results,
        "ratio_to_raw": {db: f["loom transition"]["median"] / f["raw SQL (baseline)"]["median"]
                         for db, f in results.items()}})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
