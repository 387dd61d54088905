"""Shared helpers of the benchmark scripts: timing runner, venv, databases, results.

Every script prints a table and writes ``benchmarks/results/<name>.json``. Nothing here imports
Loom, so a script can set up its environment (``sys.path``, a venv) before Loom is imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
VENV = BENCH_DIR / ".venv-bench"
FIXTURES = REPO / "tests" / "module_fixtures"
#: A PostgreSQL maintenance database the scripts may create and drop their own databases through.
PG_ADMIN_URL = os.environ.get("LOOM_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: Source folders copied to build the non-editable install (the work tree, not just HEAD).
SOURCE_ITEMS = ("loom", "kernel", "modules", "cli", "setup.py", "pyproject.toml", "README.md")
#: Environment variables that would make a measured process differ from a user's.
TEST_ONLY_ENV = ("LOOM_PASSWORD_PROFILE", "LOOM_DATABASE_URL", "LOOM_USER", "LOOM_DEBUG", "LOOM_TRACE_HOOKS",
                 "LOOM_TEST_PG_URL", "PYTHONPATH", "PYTHONPYCACHEPREFIX")


# -- statistics and results ---------------------------------------------------------------------


def summarize(samples: Sequence[float]) -> dict[str, Any]:
    """min / median / max of ``samples`` (seconds) and the samples themselves."""
    return {"runs": len(samples), "min": min(samples), "median": statistics.median(samples),
            "max": max(samples), "samples": [round(s, 6) for s in samples]}


def machine_info() -> dict[str, Any]:
    """What the figures were taken on."""
    info: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "executable": sys.executable,
        "platform": platform.platform(), "cpus": os.cpu_count(), "sqlite": sqlite3.sqlite_version,
        "loadavg_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    for package in ("sqlalchemy", "alembic", "pluggy", "click", "psycopg"):
        with contextlib.suppress(Exception):
            from importlib import metadata

            info[package] = metadata.version(package)
    return info


def source_info() -> dict[str, Any]:
    """The commit measured, and the source files that differed from it (the work tree is measured)."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=30,
                              check=False)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--", *SOURCE_ITEMS, "tests/module_fixtures").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_changes": dirty}


def write_results(name: str, data: dict[str, Any]) -> Path:
    """``benchmarks/results/<name>.json`` with the machine and source description added."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine_info(), "source": source_info(), **data}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table on stdout."""
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
              for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def verdict(measured: float, target: float | None) -> str:
    """``ok`` or ``MISS`` against a target (None: no target)."""
    if target is None:
        return ""
    return "ok" if measured <= target else "MISS"


# -- processes ----------------------------------------------------------------------------------


def measured_env(*, no_bytecode_in: Path | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: a user's, without the test-suite switches.

    ``PYTHONDONTWRITEBYTECODE`` is unset: cached ``.pyc`` files are read and written as on a user's
    machine. With ``no_bytecode_in`` (an empty folder) Python compiles every module from source and
    writes nothing: ``PYTHONPYCACHEPREFIX`` points at that folder and writing is off.
    """
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if no_bytecode_in is not None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(no_bytecode_in)
    env.update(extra or {})
    return env


def run_checked(argv: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``argv``; a failure raises with its stderr (a benchmark of a failing command is worthless)."""
    proc = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc


def time_command(argv: Sequence[str] | Callable[[], Sequence[str]], *, runs: int, env: dict[str, str],
                 cwd: str | Path | None = None, timeout: float = 60, warmup: int = 1) -> dict[str, Any]:
    """Wall time of the whole process ``argv``, ``runs`` times after ``warmup`` discarded runs.

    ``argv`` may be a function called (untimed) before every run, e.g. to give it a fresh database.
    """
    samples, warm, cpu = [], [], []
    load_before = _loadavg()
    for i in range(warmup + runs):
        command = argv() if callable(argv) else argv
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run_checked(command, env=env, cwd=cwd, timeout=timeout)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        (warm if i < warmup else samples).append(elapsed)
        if i >= warmup:
            cpu.append(after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime)
    result = summarize(samples)
    result["warmup"] = [round(s, 6) for s in warm]
    result["cpu_median"] = statistics.median(cpu)  # user + system time of the process itself
    result["loadavg_1m"] = [load_before, _loadavg()]
    return result


def time_page_beside_sql(client: Any, path: str, engine: Any, sql: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds of ``runs`` GETs of ``path`` through the in-process ``client``, each followed by the
    raw ``sql`` of the same work on a connection of ``engine`` (the baseline), as two lists."""
    from sqlalchemy import text

    pages, raws = [], []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path)
        pages.append(time.perf_counter() - start)
        with engine.connect() as conn:
            start = time.perf_counter()
            conn.execute(text(sql)).all()
            raws.append(time.perf_counter() - start)
    return pages, raws


def _loadavg() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def import_time_top(python: str, args: Sequence[str], env: dict[str, str], top: int = 10,
                    cwd: str | Path | None = None) -> dict[str, Any]:
    """``python -X importtime <args>``: total and the ``top`` imports by cumulative and by self time."""
    proc = subprocess.run([python, "-X", "importtime", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60, check=False)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.split(":", 1)[1].split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append({"module": name.strip(), "self_ms": int(self_us) / 1000,
                     "cumulative_ms": int(cumulative_us) / 1000, "depth": depth})
    top_level = [r for r in rows if r["depth"] == 0]
    return {
        "command": f"python -X importtime {' '.join(args)}",
        "modules_imported": len(rows),
        "total_ms": round(sum(r["cumulative_ms"] for r in top_level), 3),
        "top_cumulative": sorted(rows, key=lambda r: -r["cumulative_ms"])[:top],
        "top_self": sorted(rows, key=lambda r: -r["self_ms"])[:top],
        "top_level": sorted(top_level, key=lambda r: -r["cumulative_ms"])[:top],
    }


# -- the benchmark venv -------------------------------------------------------------------------


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv(log: Callable[[str], None] = print) -> Path:
    """``benchmarks/.venv-bench`` with a normal (non-editable) install of the current work tree.

    The work tree's source folders are copied to a temporary folder first, so pip builds nowhere
    inside the repository. The venv is created once; later calls reinstall Loom only
    (``--no-deps --force-reinstall``). Everything is byte-compiled afterwards.
    """
    env = measured_env()
    if os.environ.get("LOOM_BENCH_VENV_READY") and venv_python().exists():
        return venv_python()  # run_all.py has just built or refreshed it
    if not venv_python().exists():
        log(f"creating {VENV} ...")
        run_checked([sys.executable, "-m", "venv", str(VENV)], env=env, timeout=300)
        deps = False
    else:
        deps = True
    with tempfile.TemporaryDirectory(prefix="loom-bench-src-") as tmp:
        source = Path(tmp) / "loom-src"
        source.mkdir()
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
        for item in SOURCE_ITEMS:
            src = REPO / item
            if src.is_dir():
                shutil.copytree(src, source / item, ignore=ignore)
            elif src.exists():
                shutil.copy2(src, source / item)
        log(f"pip install {'--no-deps --force-reinstall ' if deps else ''}<work tree> into {VENV.name} ...")
        argv = [str(venv_python()), "-m", "pip", "install", "--quiet", "--no-warn-script-location"]
        argv += ["--no-deps", "--force-reinstall"] if deps else []
        run_checked([*argv, str(source)], env=env, timeout=600)
    site = run_checked([str(venv_python()), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       env=env).stdout.strip()
    run_checked([str(venv_python()), "-m", "compileall", "-q", "-j", "0", site], env=env, timeout=600)
    return venv_python()


def reexec_in_venv(argv: Sequence[str]) -> None:
    """Replace this process by the same script under the benchmark venv's interpreter (built first)."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = str(ensure_venv())
    sys.stdout.flush()
    os.execve(python, [python, *argv], measured_env())


def in_bench_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


# -- databases ----------------------------------------------------------------------------------


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: skip the PostgreSQL figures
        return False


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def pg_create(name: str) -> str:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"')
    return pg_url(name)


def pg_drop(name: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


DB_PREFIX = "loom_bench"


def unique_name(prefix: str = DB_PREFIX) -> str:
    """A database name that tells which process made it (see :func:`pg_drop_leftovers`)."""
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def pg_drop_leftovers(pid: int) -> list[str]:
    """Drop the databases a killed benchmark process ``pid`` could not drop itself."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                (f"{DB_PREFIX}_{pid}_%",))]
    for name in names:
        pg_drop(name)
    return names


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so ``finally`` blocks drop databases and remove files."""
    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder for SQLite files, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def psycopg_url(url: str) -> str:
    """A ``postgresql://`` URL as SQLAlchemy's psycopg 3 URL (``postgresql+psycopg://``)."""
    return url.replace("postgresql://", "postgresql+psycopg://")


@contextlib.contextmanager
def pg_databases() -> Iterator[Callable[[], tuple[str, str]]]:
    """A factory of fresh PostgreSQL databases ``(name, url)``; every one is dropped at the end."""
    made: list[str] = []

    def new() -> tuple[str, str]:
        name = unique_name()
        made.append(name)
        return name, pg_create(name)

    try:
        yield new
    finally:
        for name in made:
            with contextlib.suppress(Exception):
                pg_drop(name)
