"""Importing 10,000 partners from a CSV file, with validation: dry run and real import, against raw SQL.

Per backend (SQLite always, PostgreSQL when reachable), on a database with ``base`` installed:

- ``loom dry run``: ``import_file(env, "base.partner", path, dry_run=True)`` in one unit of work:
  read and decode the file, convert and validate every cell, create every record in savepoints,
  then roll back (what ``loom import --dry-run`` does after opening the registry);
- ``loom import``: the same, committed (records, external ids and the audit record);
- ``raw SQL``: the baseline, in the same run: parse the same file with ``csv`` and insert the same
  columns and the same external ids with one Core ``INSERT`` (executemany) each, committed: no
  conversion, no validation, no computed fields, no permission checks.

Imported rows are deleted (untimed) after every run, so each run starts from the same state. Times
are in-process wall seconds (registry already built); medians are quoted.

    python benchmarks/import_partners.py [--rows 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

from _common import (
    FIXTURES,
    pg_available,
    pg_databases,
    print_table,
    psycopg_url,
    scratch_dir,
    stop_cleanly_on_sigterm,
    summarize,
    verdict,
    write_results,
)

TARGET_S = 5.0
HEADER = ["id", "name", "email", "phone", "city", "is_customer", "comment"]
COLUMNS = ["name", "email", "phone", "city", "is_customer", "comment"]


def write_file(path: Path, rows: int) -> Path:
    """``rows`` partners with an external id, an e-mail, a phone, a Chinese city and a comment."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            writer.writerow([f"bench_{i}", f"Partner {i:05d} 有限公司", f"buyer{i}@example.com",
                             f"138{i:08d}", "上海", "true" if i % 2 else "false", "imported for the benchmark"])
    return path


def cleanup(engine) -> None:
    """Delete what a run imported (untimed)."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM base_partner WHERE email LIKE :pattern"), {"pattern": "buyer%@example.com"})
        conn.execute(sa.text("DELETE FROM loom_external_id WHERE module = '__import__' AND name LIKE :pattern"),
                     {"pattern": "bench_%"})


def run_loom(engine, registry, path: Path, dry_run: bool) -> float:
    from loom.kernel.db import run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.transfer import import_file

    start = time.perf_counter()
    report = run_unit_of_work(engine, lambda s: import_file(Environment(registry, s, su=True), "base.partner",
                                                            path, dry_run=dry_run))
    elapsed = time.perf_counter() - start
    assert report.created == report.rows and not report.errors, report.lines()
    return elapsed


def run_raw(engine, registry, path: Path) -> float:
    """Parse the same file and insert the same columns and external ids with Core INSERTs (no ORM)."""
    import sqlalchemy as sa

    partners, names = registry["base.partner"].__table__, registry["loom.external_id"].__table__
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as data:
        rows = list(csv.DictReader(data))
    values = [{**{c: r[c] for c in COLUMNS}, "is_customer": r["is_customer"] == "true"} for r in rows]
    with engine.begin() as conn:
        ids = conn.execute(sa.insert(partners).returning(partners.c.id, sort_by_parameter_order=True),
                           values).scalars().all()
        conn.execute(sa.insert(names), [{"module": "__import__", "name": r["id"], "model": "base.partner",
                                         "res_id": i} for r, i in zip(rows, ids, strict=True)])
    return time.perf_counter() - start


def measure(url: str, rows: int, runs: int, folder: Path) -> dict[str, dict]:
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    engine = create_engine(url)
    manager = ModuleManager(engine, roots=(str(FIXTURES),))
    manager.install(["base"])
    registry = manager.registry(manager.installed())
    path = write_file(folder / "partners.csv", rows)
    samples: dict[str, list[float]] = {"loom dry run": [], "loom import": [], "raw SQL": []}
    try:
        cleanup(engine)
        run_loom(engine, registry, path, dry_run=False)  # warm-up: caches, statements, file pages
        cleanup(engine)
        for _ in range(runs):
            samples["loom dry run"].append(run_loom(engine, registry, path, dry_run=True))
            samples["loom import"].append(run_loom(engine, registry, path, dry_run=False))
            cleanup(engine)
            samples["raw SQL"].append(run_raw(engine, registry, path))
            cleanup(engine)
    finally:
        engine.dispose()
    return {name: summarize(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    results: dict[str, dict] = {}
    with scratch_dir("loom-bench-import-") as folder:
        results["sqlite"] = measure(f"sqlite:///{folder / 'bench.db'}", args.rows, args.runs, folder)
        if pg_available():
            with pg_databases() as new:
                _name, url = new()
                results["postgresql"] = measure(psycopg_url(url), args.rows,
                                                args.runs, folder)
    table = []
    for backend, figures in results.items():
        raw = figures["raw SQL"]["median"]
        for name, figure in figures.items():
            target = TARGET_S if name != "raw SQL" else None
            table.append([backend, name, figure["min"], figure["median"], figure["max"],
                          f"{figure['median'] / raw:.1f}x", verdict(figure["median"], target)])
    print_table(f"Import {args.rows} partners from CSV, seconds ({args.runs} runs; target <= {TARGET_S} s)",
                ["backend", "how", "min s", "median s", "max s", "vs raw", "target"], table)
    path = write_results("import_partners", {"rows": args.rows, "runs": args.runs, "target_s": TARGET_S,
                                             "figures": results,
                                             "medians": {b: {n: f["median"] for n, f in r.items()}
                                                         for b, r in results.items()},
                                             "ratio_to_raw": {b: statistics.median([r["loom import"]["median"]
                                                                                    / r["raw SQL"]["median"]])
                                                              for b, r in results.items()}})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
