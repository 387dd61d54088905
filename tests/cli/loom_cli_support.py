"""Run ``loom`` the ways a person and a script do, against a database of the run's backend.

``Loom(url)`` drives one database: ``loom(...)`` invokes the click command in-process with
``CliRunner`` (the fast path for most stories), ``loom.main(...)`` goes through the console entry
point ``loom.cli.main:main`` in-process, which is where errors become one line and an exit code,
and ``loom.process(...)`` starts the real ``loom`` executable. Every way starts from a clean
environment: no ``LOOM_*`` variable of the person running the tests leaks in.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "admin-secret-1"
CLEAN_ENV: dict[str, str | None] = {
    "LOOM_DATABASE_URL": None, "LOOM_USER": None, "LOOM_ADMIN_PASSWORD": None, "LOOM_NEW_PASSWORD": None,
    "LOOM_DEBUG": None, "LOOM_TRACE_HOOKS": None, "LOOM_MODULE_PATH": None, "LANG": "C.UTF-8",
}


@dataclass
class Run:
    """What a run of the entry point or of the executable left: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()


class Loom:
    """``loom --database URL ...`` on one database, in-process or as a real process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner(env=CLEAN_ENV)

    def __call__(self, *args: str, env: Mapping[str, str] | None = None, input: str | None = None) -> Result:
        """Invoke the click command in-process; errors stay exceptions on the result."""
        from loom.cli.main import cli

        return self.runner.invoke(cli, ["--database", self.url, *args], env=env, input=input, prog_name="loom")

    def ok(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Invoke, assert success, return stdout."""
        result = self(*args, env=env)
        assert result.exit_code == 0, f"loom {' '.join(args)} failed: {result.output}{result.exception!r}"
        return result.stdout

    def main(self, *args: str, env: Mapping[str, str] | None = None) -> Run:
        """Run the console entry point in-process: the one-line error and exit code a person sees."""
        from loom.cli.main import main

        saved = sys.argv
        with self.runner.isolation(env=env) as (out, err, _mixed):
            sys.argv = ["loom", "--database", self.url, *args]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                sys.argv = saved
            return Run(code, out.getvalue().decode(), err.getvalue().decode())

    def process(self, *args: str, env: Mapping[str, str] | None = None, python: tuple[str, ...] = ()) -> Run:
        """Run the real executable (``python -m loom`` when ``python`` flags are given)."""
        command = [sys.executable, *python, "-m", "loom"] if python else [_executable()]
        environment = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        environment.update({k: v for k, v in CLEAN_ENV.items() if v is not None}, **(env or {}))
        done = subprocess.run([*command, "--database", self.url, *args], capture_output=True, text=True,
                              env=environment, cwd=REPO, timeout=300, check=False)
        return Run(done.returncode, done.stdout, done.stderr)


def _executable() -> str:
    """The ``loom`` script of the environment running the tests (its bin/ need not be on PATH)."""
    beside = Path(sys.executable).with_name("loom")
    return str(beside) if beside.exists() else "loom"


def module_rows(url: str) -> dict[str, str] | None:
    """``loom_module`` as module -> version, or None when the table does not exist."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("loom_module"):
                return None
            return dict(conn.execute(sa.text("SELECT name, module_version FROM loom_module")).all())
    finally:
        engine.dispose()


def scalar(url: str, sql: str, **params: object) -> object:
    """One value read with plain SQL (what the database holds, whatever the CLI says)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar_one()
    finally:
        engine.dispose()


def password_hash(url: str, login: str) -> str:
    """The stored password hash of ``login``."""
    return str(scalar(url, "SELECT password_hash FROM loom_user WHERE login = :login", login=login))


def load_docs_script(name: str) -> ModuleType:
    """Import ``docs/<name>.py`` (the reference generators are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"loom_docs_{name}", REPO / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module
