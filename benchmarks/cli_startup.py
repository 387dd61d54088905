"""Cold start of the ``loom`` command: ``loom --help`` and ``loom module list --json``.

Whole process, wall clock, ``runs`` times after one discarded warm-up run (the file cache is warm:
"cold" means a new Python process, not a cold disk). With ``--venv`` the command is the console
script of ``benchmarks/.venv-bench`` (a normal, byte-compiled ``pip install`` of the work tree,
made or refreshed first), else the ``loom`` of the current interpreter. The measured processes run
without ``PYTHONDONTWRITEBYTECODE``; ``loom --help`` is also timed with no bytecode at all
(every module compiled from source) to show what missing ``.pyc`` files cost.

Also records ``python -X importtime`` of each command: the 10 most expensive imports.

    python benchmarks/cli_startup.py --venv            # as a user has it (recommended)
    python benchmarks/cli_startup.py --runs 7 --no-pg
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from _common import (
    ensure_venv,
    import_time_top,
    measured_env,
    pg_available,
    pg_databases,
    print_table,
    run_checked,
    scratch_dir,
    stop_cleanly_on_sigterm,
    time_command,
    verdict,
    write_results,
)

TARGETS = {"help": 0.2, "list_sqlite": 0.3, "list_postgresql": 0.6}


def _commands(use_venv: bool) -> tuple[str, list[str]]:
    """(python, loom argv) of the measured installation."""
    if use_venv:
        python = str(ensure_venv())
        return python, [str(Path(python).parent / "loom")]
    script = Path(sys.executable).parent / "loom"
    loom = [str(script)] if script.exists() else ([shutil.which("loom")] if shutil.which("loom") else [])
    return sys.executable, loom or [sys.executable, "-m", "loom"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="measure a non-editable install in benchmarks/.venv-bench")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()

    python, loom = _commands(args.venv)
    env = measured_env()
    setup_env = measured_env(extra={"LOOM_PASSWORD_PROFILE": "test", "LOOM_ADMIN_PASSWORD": "bench-password"})
    figures: dict[str, dict] = {}
    importtime: dict[str, dict] = {}

    with scratch_dir("loom-bench-cli-") as tmp:
        figures["python_floor"] = time_command([python, "-c", "pass"], runs=args.runs, env=env, cwd=tmp)
        figures["help"] = time_command([*loom, "--help"], runs=args.runs, env=env, cwd=tmp)
        (tmp / "empty-pycache").mkdir()
        figures["help_no_bytecode"] = time_command([*loom, "--help"], runs=max(3, args.runs // 2), warmup=0,
                                                   env=measured_env(no_bytecode_in=tmp / "empty-pycache"), cwd=tmp)
        importtime["help"] = import_time_top(python, ["-m", "loom", "--help"], env, cwd=tmp)

        url = f"sqlite:///{tmp / 'bench.db'}"
        run_checked([*loom, "--database", url, "init"], env=setup_env, cwd=tmp, timeout=300)
        figures["list_sqlite"] = time_command([*loom, "--database", url, "module", "list", "--json"],
                                              runs=args.runs, env=env, cwd=tmp)
        importtime["list_sqlite"] = import_time_top(
            python, ["-m", "loom", "--database", url, "module", "list", "--json"], env, cwd=tmp)

        if not args.no_pg and pg_available():
            with pg_databases() as new_db:
                _name, pg = new_db()
                run_checked([*loom, "--database", pg, "init"], env=setup_env, cwd=tmp, timeout=300)
                figures["list_postgresql"] = time_command(
                    [*loom, "--database", pg, "module", "list", "--json"], runs=args.runs, env=env, cwd=tmp)
                importtime["list_postgresql"] = import_time_top(
                    python, ["-m", "loom", "--database", pg, "module", "list", "--json"], env, cwd=tmp)

    for key, figure in figures.items():
        figure["target"] = TARGETS.get(key)
        figure["verdict"] = verdict(figure["median"], figure["target"])
    labels = {"python_floor": "python -c pass (interpreter floor)", "help": "loom --help",
              "help_no_bytecode": "loom --help, no .pyc (compiled from source)",
              "list_sqlite": "loom module list --json, SQLite",
              "list_postgresql": "loom module list --json, PostgreSQL"}
    installation = "venv (pip install, byte-compiled)" if args.venv else f"current interpreter ({python})"
    print_table(f"CLI cold start, whole process, seconds ({installation})",
                ["command", "min", "median", "max", "cpu median", "target", ""],
                [[labels[k], f["min"], f["median"], f["max"], f["cpu_median"], f["target"], f["verdict"]]
                 for k, f in figures.items()])
    print(f"load average (1 min) during the runs: {figures['help']['loadavg_1m']} on {os.cpu_count()} cpus")
    for key, report in importtime.items():
        print_table(f"python -X importtime, {labels[key]}: {report['total_ms']:.0f} ms in "
                    f"{report['modules_imported']} modules; top 10 by cumulative time",
                    ["module", "cumulative ms", "self ms"],
                    [[r["module"], r["cumulative_ms"], r["self_ms"]] for r in report["top_cumulative"]])
    path = write_results("cli_startup", {"installation": installation, "python": python, "loom": loom,
                                         "figures": figures, "importtime": importtime, "unit": "seconds"})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
