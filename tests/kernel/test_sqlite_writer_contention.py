"""RELIABILITY C8 on the embedded default: SQLite writers in threads and processes never show
"database is locked" to a user. Run as a script, this file is one of C8's writer processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from loom.kernel.db import (
    create_engine,
    run_unit_of_work,
)
from loom_test_support import count_rows

REPO = Path(__file__).resolve().parents[2]


# --- RELIABILITY C8, scaled down: 8 threads + 2 processes × 50 writes while 2 readers read -----------

C8_THREADS, C8_PROCESSES, C8_WRITES, C8_READERS = 8, 2, 50, 2


def c8_schema(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ack (id INTEGER PRIMARY KEY, writer TEXT, seq INTEGER)")
        conn.exec_driver_sql("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO tally (id, n) VALUES (1, 0)")


def c8_write(session, writer, seq):
    """Read the tally, then write it back plus one: loses updates unless writers are serialized."""
    n = session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar_one()
    session.execute(text("UPDATE tally SET n = :n WHERE id = 1"), {"n": n + 1})
    session.execute(text("INSERT INTO ack (writer, seq) VALUES (:w, :s)"), {"w": writer, "s": seq})


def c8_writer(engine, writer, writes) -> dict:
    """Run ``writes`` write units; count acknowledgements, errors and busy-snapshot retries."""
    report = {"acks": 0, "errors": [], "snapshot_retries": 0, "retries": 0}

    def on_retry(_attempt, exc):
        report["retries"] += 1
        report["snapshot_retries"] += getattr(getattr(exc, "orig", exc), "sqlite_errorcode", 0) == 517

    for seq in range(writes):
        try:
            run_unit_of_work(engine, lambda s, seq=seq: c8_write(s, writer, seq), on_retry=on_retry)
            report["acks"] += 1
        except Exception as exc:  # noqa: BLE001 - every error that reaches a caller is counted
            report["errors"].append(repr(exc))
    return report


def c8_reader(engine, stop, report):
    """Report reads until ``stop``: in every snapshot the tally equals the number of ack rows."""
    def read(session):
        return session.execute(text("SELECT (SELECT n FROM tally), (SELECT count(*) FROM ack)")).one()

    while not stop.is_set():
        try:
            tally, acks = run_unit_of_work(engine, read, write=False)
            report["reads"] += 1
            report["torn"] += tally != acks
        except Exception as exc:  # noqa: BLE001 - every error that reaches a caller is counted
            report["errors"].append(repr(exc))


def start_writer_processes(url):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}
    processes = [subprocess.Popen([sys.executable, __file__, url, f"process-{i}", str(C8_WRITES)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
                 for i in range(C8_PROCESSES)]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    return processes


def test_c8_sqlite_writers_in_threads_and_processes_never_see_database_is_locked(database_url, backend):
    if backend != "sqlite":
        pytest.skip("RELIABILITY C8 is about SQLite's single writer; PostgreSQL has row locks")
    engine = create_engine(database_url)
    c8_schema(engine)
    processes = start_writer_processes(database_url)
    start, stop = threading.Barrier(C8_THREADS + C8_READERS + 1), threading.Event()
    reports: list[dict] = []
    readers = [{"reads": 0, "torn": 0, "errors": []} for _ in range(C8_READERS)]

    def thread_writer(i):
        start.wait()
        reports.append(c8_writer(engine, f"thread-{i}", C8_WRITES))

    def thread_reader(report):
        start.wait()
        c8_reader(engine, stop, report)

    threads = [threading.Thread(target=thread_writer, args=(i,)) for i in range(C8_THREADS)]
    threads += [threading.Thread(target=thread_reader, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.wait()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    reports += [json.loads(process.communicate(timeout=60)[0]) for process in processes]
    for thread in threads[:C8_THREADS]:
        thread.join(60)
    stop.set()
    for thread in threads[C8_THREADS:]:
        thread.join(10)
    print(f"C8: {time.monotonic() - began:.1f}s, retries {sum(r['retries'] for r in reports)}, "
          f"reads {sum(r['reads'] for r in readers)}")

    acks = sum(r["acks"] for r in reports)
    assert [e for r in reports + readers for e in r["errors"]] == []  # no "database is locked", nothing
    assert acks == (C8_THREADS + C8_PROCESSES) * C8_WRITES
    assert count_rows(engine, "ack") == acks
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n FROM tally").scalar_one() == acks  # no lost update
    assert sum(r["snapshot_retries"] for r in reports) == 0
    assert all(r["reads"] > 0 for r in readers) and sum(r["torn"] for r in readers) == 0
    engine.dispose()


if __name__ == "__main__":
    url, name, writes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    process_engine = create_engine(url)
    with process_engine.connect():
        print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(c8_writer(process_engine, name, writes)), flush=True)
