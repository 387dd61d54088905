"""Run every benchmark script and write ``benchmarks/results/summary.json``: target against measured median.

    python benchmarks/run_all.py --venv          # as a user has it (recommended; builds the venv once)
    python benchmarks/run_all.py --no-pg --quick

Each script runs in its own process with a time limit; one that fails or times out is reported and
the others still run (the exit status is then 1).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from _common import (
    BENCH_DIR,
    RESULTS,
    ensure_venv,
    machine_info,
    measured_env,
    pg_available,
    pg_drop_leftovers,
    print_table,
    verdict,
)

SCRIPTS = {  # name -> (time limit in seconds, extra arguments for --quick)
    "cli_startup": (600, ["--runs", "5"]),
    "install": (1200, ["--runs", "3", "--inproc-runs", "2", "--breakdown-runs", "1"]),
    "registry_build": (600, ["--runs", "9"]),
    "hook_calls": (300, ["--number", "5000", "--repeat", "5"]),
    "workflow_transitions": (600, ["--runs", "3"]),
    "outbox_relay": (900, ["--events", "2000", "--runs", "1"]),
    "import_partners": (900, ["--rows", "2000", "--runs", "1"]),
    "backup_restore": (1800, ["--rows", "20000", "--runs", "1"]),
    "web_serve": (600, ["--runs", "2"]),
    "web_list": (1200, ["--rows", "20000", "--runs", "3"]),
    "web_autocomplete": (900, ["--rows", "20000", "--runs", "5"]),
    "api_list": (1800, ["--partners", "20000", "--requests", "100"]),
    "web_load": (1200, ["--partners", "20000", "--wrk-seconds", "5", "--latency-seconds", "5", "--restarts", "2",
                        "--starts", "1"]),
}
#: Scripts that measure in the interpreter they are started with (no ``--venv`` option).
IN_PROCESS = ("import_partners", "backup_restore", "web_serve", "web_list", "web_autocomplete", "api_list", "web_load")
#: Scripts that take ``--no-pg``.
TAKES_NO_PG = ("cli_startup", "install", "backup_restore", "web_serve", "web_list", "web_autocomplete")


def _get(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def summary_rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's figures: what, target, measured median (and min), unit."""
    cli, inst = results.get("cli_startup", {}), results.get("install", {})
    reg, hooks = results.get("registry_build", {}), results.get("hook_calls", {})
    sets = {s["label"]: s for s in reg.get("sets", [])}
    shipped = sets.get("shipped (kernel + base)", {})
    every = sets.get("all incl. test modules", {})
    rows = [
        ("loom --help, whole process", 0.2, _get(cli, "figures", "help"), "s"),
        ("loom module list --json, SQLite", 0.3, _get(cli, "figures", "list_sqlite"), "s"),
        ("loom module list --json, PostgreSQL", 0.6, _get(cli, "figures", "list_postgresql"), "s"),
        ("loom quickstart (every shipped module + demo + admin), SQLite", 3.0,
         _get(inst, "whole_process", "quickstart_sqlite"), "s"),
        ("loom quickstart, PostgreSQL", 6.0, _get(inst, "whole_process", "quickstart_postgresql"), "s"),
        ("loom init (kernel + base, no demo), SQLite", 3.0, _get(inst, "whole_process", "init_sqlite"), "s"),
        ("loom init, PostgreSQL", 6.0, _get(inst, "whole_process", "init_postgresql"), "s"),
        ("registry composed + configured, shipped modules, in process", 0.6, shipped.get("composed"), "s"),
    ]
    out = []
    for what, target, figure, unit in rows:
        median = figure.get("median") if figure else None
        out.append({"figure": what, "target": target, "median": median, "min": figure.get("min") if figure else None,
                    "unit": unit, "verdict": verdict(median, target) if median is not None else "not measured"})
    for label, s in (("shipped modules", shipped), ("all incl. test modules", every)):
        overhead = s.get("overhead")
        out.append({"figure": f"composition overhead vs plain declarative, {label}", "target": 0.30,
                    "median": overhead, "min": None, "unit": "ratio - 1",
                    "plain_median": _get(s, "plain", "median"), "composed_median": _get(s, "composed", "median"),
                    "verdict": verdict(overhead, 0.30) if overhead is not None else "not measured"})
    for kind, label in (("pluggy", "pluggy directly"), ("relay", "env.hooks relay")):
        figure = _get(hooks, "figures", f"{kind}_5")
        out.append({"figure": f"hook call, 5 implementations, {label}", "target": None,
                    "median": figure.get("median_us") if figure else None,
                    "min": figure.get("min_us") if figure else None, "unit": "µs", "verdict": ""})
    return out


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (the scripts clean up on it), then SIGKILL after 30 s."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _drop_leftovers(pid: int) -> None:
    if pg_available():
        for name in pg_drop_leftovers(pid):
            print(f"dropped leftover database {name}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="measure a non-editable install in benchmarks/.venv-bench")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test of the scripts)")
    parser.add_argument("--only", nargs="*", choices=sorted(SCRIPTS), help="run only these scripts")
    args = parser.parse_args()

    if args.venv:
        ensure_venv()  # once, before the scripts (each would otherwise refresh it)
    failures, durations = [], {}
    started = time.time()
    for name, (limit, quick_args) in SCRIPTS.items():
        if args.only and name not in args.only:
            continue
        argv = [sys.executable, str(BENCH_DIR / f"{name}.py")]
        argv += ["--venv"] if args.venv and name not in IN_PROCESS else []
        argv += ["--no-pg"] if args.no_pg and name in TAKES_NO_PG else []
        argv += quick_args if args.quick else []
        print(f"\n=== {name}: {' '.join(argv[1:])}", flush=True)
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=measured_env(extra={"LOOM_BENCH_VENV_READY": "1"}))
        try:
            if proc.wait(timeout=limit) != 0:
                failures.append(f"{name} exited {proc.returncode}")
        except subprocess.TimeoutExpired:
            failures.append(f"{name} timed out after {limit} s")
            _stop(proc)
        except BaseException:
            _stop(proc)
            raise
        finally:
            _drop_leftovers(proc.pid)
        durations[name] = time.perf_counter() - start

    results = {}
    for name in SCRIPTS:
        path = RESULTS / f"{name}.json"
        if path.exists() and path.stat().st_mtime >= started:  # never report an older run's figures
            results[name] = json.loads(path.read_text(encoding="utf-8"))
    rows = summary_rows(results)
    print_table("Summary: target against measured median", ["figure", "target", "median", "unit", ""],
                [[r["figure"], r["target"], r["median"], r["unit"], r["verdict"]] for r in rows])
    RESULTS.mkdir(exist_ok=True)
    summary = {"machine": machine_info(), "venv": args.venv, "quick": args.quick, "figures": rows,
               "script_seconds": durations, "failures": failures,
               # what each script ran under (the venv's packages) and which source it measured
               "scripts": {name: {"machine": data.get("machine"), "source": data.get("source"),
                                  "installation": data.get("installation")} for name, data in results.items()}}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS / 'summary.json'}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
