"""Installing modules on a fresh database: whole process, and per module in process.

1. **Whole process** (the issue's figure): ``loom --database URL quickstart`` (every shipped module,
   their demo data and an administrator whose password is hashed with the production argon2
   parameters) and ``loom --database URL init`` (kernel and base, no demo), each on a brand-new
   SQLite file / PostgreSQL database, ``runs`` times after one discarded warm-up.
2. **In process, module by module** with ``ModuleManager(engine, roots=[tests/module_fixtures])``:
   ``install(["base"])`` (kernel + base), then ``loomtest_alpha``, then ``loomtest_beta`` (its bridge
   ``loomtest_alpha_beta`` joins automatically), on a fresh database each run with the registry cache
   cleared, so every step builds its registry. Phases are timed by wrapping kernel functions in this
   process only: registry build, alembic upgrade per module, data loading per module, triggers, the
   rest (module rows, ``on_module_installed``, foreign-key check, commit).
3. **A quickstart in process**, split the same way, plus the administrator (argon2).
4. **A quickstart in a fresh process, broken down**: its imports timed one by one, its steps wrapped,
   and the interpreter's start and exit (outside minus inside), so the whole-process figure of 1.
   is explained phase by phase.

    python benchmarks/install.py --venv          # as a user has it (recommended)
    python benchmarks/install.py --runs 3 --no-pg
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any

from _common import (
    FIXTURES,
    in_bench_venv,
    measured_env,
    pg_available,
    pg_databases,
    print_table,
    reexec_in_venv,
    run_checked,
    scratch_dir,
    stop_cleanly_on_sigterm,
    summarize,
    time_command,
    verdict,
    write_results,
)

TARGETS = {("quickstart", "sqlite"): 3.0, ("quickstart", "postgresql"): 6.0,
           ("init", "sqlite"): 3.0, ("init", "postgresql"): 6.0}
STEPS = (["base"], ["loomtest_alpha"], ["loomtest_beta"])
TEST_MODULES = ("loomtest_alpha", "loomtest_beta", "loomtest_alpha_beta")


class Phases:
    """Wall time per (phase, module) collected by wrappers around kernel functions."""

    def __init__(self) -> None:
        self.times: dict[tuple[str, str], float] = defaultdict(float)

    @contextmanager
    def timing(self, phase: str, module: str = "*"):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.times[(phase, module)] += time.perf_counter() - start

    def reset(self) -> dict[tuple[str, str], float]:
        times, self.times = dict(self.times), defaultdict(float)
        return times


def instrument(phases: Phases) -> None:
    """Wrap the installer's steps (in this process only; kernel code is not changed)."""
    from loom.kernel import installer, migrator, schema_objects

    def wrap(owner: Any, name: str, phase: str, module_arg: int | None) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            module = str(args[module_arg]) if module_arg is not None else "*"
            with phases.timing(phase, module):
                return original(*args, **kwargs)

        setattr(owner, name, wrapper)

    wrap(migrator, "upgrade", "migrations", 1)
    wrap(installer.ModuleManager, "_load_data", "data", 2)
    wrap(installer.ModuleManager, "_record", "module_row", 2)
    wrap(installer.ModuleManager, "registry", "registry", None)
    wrap(schema_objects, "create_all", "triggers", None)
    wrap(schema_objects, "drop_all", "triggers", None)


# -- in process ---------------------------------------------------------------------------------


def time_imports() -> dict[str, float]:
    """First-import wall time of the kernel's install path, then of each module package."""
    found: dict[str, float] = {}
    import importlib

    for name in ("loom.kernel.installer", "loom.kernel.users", "loom.modules.base", *TEST_MODULES):
        start = time.perf_counter()
        importlib.import_module(name)
        found[name] = time.perf_counter() - start
    return found


def per_module_run(url: str, phases: Phases) -> dict[str, Any]:
    """kernel+base, then alpha, then beta (+ bridge) on the empty database ``url``."""
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager
    from loom.kernel.registry import registry_for

    registry_for.cache_clear()
    gc.collect()  # registries of earlier runs go now, not during the timed work
    engine = create_engine(url)
    try:
        manager = ModuleManager(engine, roots=[str(FIXTURES)])
        steps = []
        for names in STEPS:
            phases.reset()
            start = time.perf_counter()
            plan = manager.install(names)
            total = time.perf_counter() - start
            times = phases.reset()
            rows = {m: sum(r.created.values()) for m, r in plan.loaded.items()}
            steps.append({"install": names, "modules": plan.modules, "total": total, "rows_created": rows,
                          "phases": {f"{p}:{m}": t for (p, m), t in times.items()}})
        return {"steps": steps}
    finally:
        engine.dispose()


def quickstart_in_process(url: str, phases: Phases) -> dict[str, float]:
    """What ``loom quickstart`` does after its imports, split in phases."""
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom.kernel.manifest import discover
    from loom.kernel.registry import registry_for
    from loom.kernel.users import create_user

    registry_for.cache_clear()
    gc.collect()  # registries of earlier runs go now, not during the timed work
    engine = create_engine(url)
    try:
        phases.reset()
        start = time.perf_counter()
        manager = ModuleManager(engine)
        modules = sorted(m.name for m in discover().values() if m.distribution is None)
        manager.installed()
        manager.install(modules, demo=True)
        installed = time.perf_counter()
        registry = manager.registry(manager.installed())

        def admin(session: Any) -> None:
            env = Environment(registry, session, su=True)
            create_user(env, "admin", "Administrator", "bench-password-1", roles=["kernel.administrator"])

        with phases.timing("admin_user"):
            run_unit_of_work(engine, admin)
        end = time.perf_counter()
        times = {f"{p}:{m}" if m != "*" else p: t for (p, m), t in phases.reset().items()}
        times["install_total"] = installed - start
        times["total"] = end - start
        return times
    finally:
        engine.dispose()


def in_process(runs: int, backends: list[str], new_pg: Any) -> dict[str, Any]:
    sys.path.insert(0, str(FIXTURES))
    imports = time_imports()
    phases = Phases()
    instrument(phases)
    out: dict[str, Any] = {"imports": imports}
    for backend in backends:
        per_module, quick = [], []
        with scratch_dir("loom-bench-install-") as tmp:
            for i in range(runs):
                url = f"sqlite:///{tmp / f'pm{i}.db'}" if backend == "sqlite" else new_pg()[1]
                per_module.append(per_module_run(url, phases))
                url = f"sqlite:///{tmp / f'qs{i}.db'}" if backend == "sqlite" else new_pg()[1]
                quick.append(quickstart_in_process(url, phases))
        out[backend] = {"per_module_runs": per_module, "per_module": _per_module_summary(per_module),
                        "quickstart_runs": quick,
                        "quickstart": {k: summarize([q.get(k, 0.0) for q in quick]) for k in quick[0]}}
    return out


def _per_module_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median per module of migrations and data, and per step of registry and total."""
    modules: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    steps: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        for step in run["steps"]:
            label = "+".join(step["modules"])
            steps[label]["total"].append(step["total"])
            phase_sum = 0.0
            for key, value in step["phases"].items():
                phase, module = key.split(":", 1)
                if module == "*":
                    steps[label][phase].append(value)
                else:
                    modules[module][phase].append(value)
                phase_sum += value
            steps[label]["other"].append(step["total"] - phase_sum)
            for module, rows in step["rows_created"].items():
                modules[module]["rows"].append(float(rows))
    return {"modules": {m: {p: summarize(v)["median"] for p, v in d.items()} for m, d in modules.items()},
            "steps": {s: {p: summarize(v)["median"] for p, v in d.items()} for s, d in steps.items()}}


# -- whole process ------------------------------------------------------------------------------


def whole_process(runs: int, backends: list[str], new_pg: Any) -> dict[str, Any]:
    loom = str(Path(sys.executable).parent / "loom")
    env = measured_env(extra={"LOOM_ADMIN_PASSWORD": "bench-password-1"})
    out: dict[str, Any] = {}
    with scratch_dir("loom-bench-install-cli-") as tmp:
        for command in ("quickstart", "init"):
            for backend in backends:
                def argv(backend: str = backend, command: str = command, counter: Iterator[int] = count()) -> list[str]:
                    url = f"sqlite:///{tmp / f'{command}{next(counter)}.db'}" if backend == "sqlite" else new_pg()[1]
                    return [loom, "--database", url, command, *(["--no-serve"] if command == "quickstart" else [])]

                figure = time_command(argv, runs=runs, env=env, cwd=tmp, timeout=120)
                figure["target"] = TARGETS[(command, backend)]
                figure["verdict"] = verdict(figure["median"], figure["target"])
                out[f"{command}_{backend}"] = figure
    return out


# ``loom quickstart`` in a fresh process, its imports timed one by one (in dependency order) and its
# steps wrapped, so the whole-process figure splits into interpreter start, imports and work.
_BREAKDOWN = r"""
import json, sys, time
start_wall, start = time.time(), time.perf_counter()
phases = {}
for name in ("click", "loom.cli.main", "loom.kernel.manifest", "sqlalchemy", "sqlalchemy.orm", "mako.exceptions",
             "alembic", "loom.kernel.installer", "loom.kernel.users", "loom.modules.base"):
    t = time.perf_counter()
    __import__(name)
    phases["import " + name] = time.perf_counter() - t
from loom.kernel import installer, migrator, passwords, users

calls = {}

def wrap(owner, attr, phase):
    original = getattr(owner, attr)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - t
            calls[phase] = calls.get(phase, 0) + 1
    setattr(owner, attr, wrapper)

wrap(installer, "registry_for", "registry build")
wrap(migrator, "upgrade", "migrations (alembic)")
wrap(installer.ModuleManager, "_load_data", "data + demo files")
wrap(users, "create_user", "create admin (incl. its argon2 hash)")
wrap(users, "hash_password", "argon2 hashes (all calls)")
wrap(passwords, "hash_password", "argon2 hashes (all calls)")
from loom.cli.main import main
sys.argv = ["loom", "--database", sys.argv[1], "quickstart", "--no-serve"]
t = time.perf_counter()
try:
    main()
except SystemExit:
    pass
phases["command run (after the imports above)"] = time.perf_counter() - t
phases["in-process total"] = time.perf_counter() - start
phases["argon2 hashes: number of calls"] = calls.get("argon2 hashes (all calls)", 0)
phases["start_wall"], phases["end_wall"] = start_wall, time.time()
print("LOOM-BENCH " + json.dumps(phases))
"""


def quickstart_breakdown(runs: int, backends: list[str], new_pg: Any) -> dict[str, Any]:
    """Median phases of ``loom quickstart`` in a fresh process (interpreter start = outside − inside)."""
    env = measured_env(extra={"LOOM_ADMIN_PASSWORD": "bench-password-1"})
    out: dict[str, Any] = {}
    with scratch_dir("loom-bench-breakdown-") as tmp:
        for backend in backends:
            samples: dict[str, list[float]] = defaultdict(list)
            for i in range(runs):
                url = f"sqlite:///{tmp / f'b{i}.db'}" if backend == "sqlite" else new_pg()[1]
                launched, start = time.time(), time.perf_counter()
                proc = run_checked([sys.executable, "-c", _BREAKDOWN, url], env=env, cwd=tmp, timeout=120)
                outside, ended = time.perf_counter() - start, time.time()
                line = next(x for x in proc.stdout.splitlines() if x.startswith("LOOM-BENCH "))
                phases = json.loads(line.split(" ", 1)[1])
                phases["interpreter start (before the first import above)"] = phases["start_wall"] - launched
                phases["interpreter exit (finalization, after the command returned)"] = ended - phases.pop("end_wall")
                phases.pop("start_wall")
                phases["whole process (outside)"] = outside
                for key, value in phases.items():
                    samples[key].append(value)
            out[backend] = {key: statistics.median(values) for key, values in samples.items()}
    return out


# -- report -------------------------------------------------------------------------------------


def report(whole: dict[str, Any], inproc: dict[str, Any], breakdown: dict[str, Any], installation: str) -> None:
    print_table(f"Install on a fresh database, whole process, seconds ({installation})",
                ["command", "backend", "min", "median", "max", "cpu median", "load avg", "target", ""],
                [[k.rsplit("_", 1)[0], k.rsplit("_", 1)[1], f["min"], f["median"], f["max"], f["cpu_median"],
                  f["loadavg_1m"], f["target"], f["verdict"]] for k, f in whole.items()])
    for backend, phases in breakdown.items():
        print_table(f"loom quickstart in a fresh process, {backend}: where the time goes (medians, seconds; "
                    "imports are cumulative, each after the ones above it)", ["phase", "median"], list(phases.items()))
    print_table("First imports in process (seconds)", ["import", "seconds"], list(inproc["imports"].items()))
    for backend in ("sqlite", "postgresql"):
        if backend not in inproc:
            continue
        summary = inproc[backend]["per_module"]
        print_table(f"In process, module by module, {backend}: medians (seconds)",
                    ["module", "migrations", "data", "rows", "module row"],
                    [[m, d.get("migrations"), d.get("data"), int(d.get("rows", 0)), d.get("module_row")]
                     for m, d in summary["modules"].items()])
        print_table(f"In process, per install step, {backend}: medians (seconds)",
                    ["step", "total", "registry build", "triggers", "other (hooks, FK check, commit)"],
                    [[s, d["total"], d.get("registry"), d.get("triggers"), d.get("other")]
                     for s, d in summary["steps"].items()])
        quick = inproc[backend]["quickstart"]
        print_table(f"quickstart in process, {backend}: medians (seconds; imports excluded)",
                    ["phase", "median"], [[k, v["median"]] for k, v in quick.items()])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", action="store_true", help="run under benchmarks/.venv-bench (non-editable install)")
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs per command and backend")
    parser.add_argument("--inproc-runs", type=int, default=3, help="in-process runs per backend")
    parser.add_argument("--breakdown-runs", type=int, default=3, help="runs of the whole-process quickstart breakdown")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    stop_cleanly_on_sigterm()
    if args.venv:
        reexec_in_venv([__file__, *sys.argv[1:]])

    backends = ["sqlite"] + ([] if args.no_pg or not pg_available() else ["postgresql"])
    installation = "venv (pip install, byte-compiled)" if in_bench_venv() else f"current interpreter ({sys.executable})"
    with pg_databases() as new_pg:
        inproc = in_process(args.inproc_runs, backends, new_pg)
        whole = whole_process(args.runs, backends, new_pg)
        breakdown = quickstart_breakdown(args.breakdown_runs, backends, new_pg)
    report(whole, inproc, breakdown, installation)
    path = write_results("install", {"installation": installation, "whole_process": whole, "in_process": inproc,
                                     "quickstart_breakdown": breakdown,
                                     "unit": "seconds"})
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
