"""Backup and restore of a 200,000-record database on SQLite and PostgreSQL.

A database with kernel and base gets ``--rows`` partners (default 200,000) generated in one
set-based INSERT. Then, ``--runs`` times each (medians quoted):

1. ``backup_database`` (``loom db backup``): the snapshot (SQLite online backup API / pg_dump in an
   exported snapshot), plus the manifest's per-table row counts and content hashes;
2. ``restore_database`` (``loom db restore``) into an empty database: copy to a temporary file or
   pg_restore into a fresh database, verification of every table's rows and hash, then the rename;
3. the raw baseline of the same work without Loom's manifest and verification: SQLite's backup API
   copy alone and a file copy back; ``pg_dump -Fc`` alone and ``pg_restore --single-transaction``
   into a fresh database;
4. ``run_checks`` (``loom check``, every kernel check) on the restored database: 0 violations;
5. ``copy_database`` (``loom db copy``) SQLite -> PostgreSQL and PostgreSQL -> SQLite, verified.

    python benchmarks/backup_restore.py [--rows 200000] [--runs 3] [--no-pg]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    REPO,
    pg_available,
    pg_databases,
    print_table,
    scratch_dir,
    stop_cleanly_on_sigterm,
    summarize,
    write_results,
)

sys.path.insert(0, str(REPO))

GENERATE = {
    "sqlite": ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
               "INSERT INTO base_partner (name, email, city, is_customer) "
               "SELECT 'Partner ' || i, 'p' || i || '@example.com', 'City ' || (i % 97), 1 FROM n"),
    "postgresql": ("INSERT INTO base_partner (name, email, city, is_customer) "
                   "SELECT 'Partner ' || i, 'p' || i || '@example.com', 'City ' || (i % 97), true "
                   "FROM generate_series(1, :rows) AS i"),
}


def seeded(url: str, rows: int) -> None:
    """Kernel and base on ``url``, then ``rows`` partners in one statement."""
    from sqlalchemy import text

    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    engine = create_engine(url)
    ModuleManager(engine).install(["base"])
    with engine.begin() as conn:
        conn.execute(text(GENERATE[engine.dialect.name]), {"rows": rows})
    engine.dispose()


def timed(fn, *args) -> float:
    """Wall time of ``fn(*args)``."""
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def measure(backend: str, source: str, new_target, folder: Path, runs: int) -> dict:
    """Median backup and restore times, Loom's and the raw baseline's."""
    from loom.kernel.backup import backup_database, read_manifest, restore_database
    from loom.kernel.db import create_engine

    engine = create_engine(source)
    samples: dict[str, list[float]] = {"backup": [], "restore": [], "check": [], "raw_backup": [],
                                       "raw_restore": []}
    records = 0
    for run in range(runs):
        out = folder / f"run{run}"
        out.mkdir()
        started = time.perf_counter()
        artifact = backup_database(engine, out, audit=False)
        samples["backup"].append(time.perf_counter() - started)
        records = read_manifest(artifact).rows
        target = new_target()
        started = time.perf_counter()
        restore_database(target, artifact)
        samples["restore"].append(time.perf_counter() - started)
        samples["check"].append(timed(check_clean, target))
        samples["raw_backup"].append(timed(raw_backup, backend, source, out / "raw"))
        samples["raw_restore"].append(timed(raw_restore, backend, out / "raw", new_target()))
        shutil.rmtree(out)
    engine.dispose()
    return {"records": records, **{name: summarize(values) for name, values in samples.items()}}


def check_clean(url: str) -> None:
    """``loom check`` (every kernel check) on the restored database; it must find nothing."""
    from loom.kernel.checks import run_checks
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager

    engine = create_engine(url)
    manager = ModuleManager(engine)
    registry = manager.registry(manager.installed())
    violations = run_unit_of_work(engine, lambda s: run_checks(Environment(registry, s, su=True)), write=False)
    engine.dispose()
    if violations:
        raise RuntimeError(f"the restored database has violations: {violations[:3]}")


def copy_times(source: str, new_target, runs: int) -> dict:
    """``copy_database`` of ``source`` into a new empty database, ``runs`` times."""
    from loom.kernel.backup import copy_database

    return summarize([timed(copy_database, source, new_target()) for _ in range(runs)])


def raw_backup(backend: str, url: str, target: Path) -> None:
    """The snapshot alone: SQLite's backup API, or pg_dump in custom format."""
    if backend == "sqlite":
        src, dst = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(target)
        src.backup(dst)
        dst.close()
        src.close()
        return
    subprocess.run(["pg_dump", "-Fc", "-f", str(target), "-h", "127.0.0.1", "-U", "postgres",
                    url.rsplit("/", 1)[1]], check=True)


def raw_restore(backend: str, dump: Path, url: str) -> None:
    """The restore alone: a file copy, or pg_restore in one transaction into an empty database."""
    if backend == "sqlite":
        shutil.copyfile(dump, url.removeprefix("sqlite:///"))
        return
    subprocess.run(["pg_restore", "--single-transaction", "--no-owner", "-h", "127.0.0.1", "-U", "postgres",
                    "-d", url.rsplit("/", 1)[1], str(dump)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pg", action="store_true")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    results: dict[str, dict] = {}
    copies: dict[str, dict] = {}
    with scratch_dir("loom-bench-backup-") as folder:
        counter = iter(range(10**6))
        source = f"sqlite:///{folder / 'source.db'}"
        seeded(source, args.rows)
        results["sqlite"] = measure("sqlite", source, lambda: f"sqlite:///{folder / f't{next(counter)}.db'}",
                                    folder, args.runs)
        if not args.no_pg and pg_available():
            with pg_databases() as new:
                _name, pg_source = new()
                seeded(pg_source, args.rows)
                results["postgresql"] = measure("postgresql", pg_source, lambda: new()[1], folder, args.runs)
                copies = {
                    "sqlite -> postgresql": copy_times(source, lambda: new()[1], args.runs),
                    "postgresql -> sqlite": copy_times(
                        pg_source, lambda: f"sqlite:///{folder / f'c{next(counter)}.db'}", args.runs),
                }
    rows = [(backend, r["records"], r["backup"]["median"], r["raw_backup"]["median"], r["restore"]["median"],
             r["raw_restore"]["median"], r["check"]["median"]) for backend, r in results.items()]
    print_table(f"Backup and restore of {args.rows:,} partners (median of {args.runs} runs, seconds)",
                ("backend", "records", "loom backup", "raw snapshot", "loom restore", "raw restore",
                 "loom check"), rows)
    print_table("loom db copy across backends (median, seconds)", ("copy", "seconds"),
                [(name, figures["median"]) for name, figures in copies.items()])
    path = write_results("backup_restore", {"rows_generated": args.rows, "runs": args.runs, "results": results,
                                            "copy": copies})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
