"""Modules add command groups through their manifests; the group's code loads only when used.

Story: the alpha module ships `loom alpha confirm`; `loom --help` lists it without importing
alpha, and a clerk confirms an order from the shell.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from loom_test_support import FIXTURE_MODULES

LOOM = [sys.executable, "-m", "loom"]


def run(*args: str, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOOM_MODULE_PATH": str(FIXTURE_MODULES), "LOOM_DATABASE_URL": url,
           "LOOM_ADMIN_PASSWORD": "correct horse"}
    return subprocess.run([*LOOM, *args], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).parent)


def test_help_lists_the_group_without_importing_the_module(database_url):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "loom", "--help"], capture_output=True,
                            text=True, env={**os.environ, "LOOM_MODULE_PATH": str(FIXTURE_MODULES)}, timeout=60)
    assert "alpha" in result.stdout and "Commands of the loomtest_alpha module." in result.stdout
    assert "loomtest_alpha" not in {line.split("|")[-1].strip() for line in result.stderr.splitlines()}


def test_a_clerk_confirms_an_order_from_the_shell(database_url):
    assert run("init", url=database_url).returncode == 0
    assert run("module", "install", "loomtest_alpha", url=database_url).returncode == 0
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom_test_support import ROOTS

    engine = create_engine(database_url)
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        registry = manager.registry(manager.installed())

        def draft(session):
            env = Environment(registry, session, su=True)
            partner = env["base.partner"].create({"name": "Shell Buyer Co."})
            return env["alpha.order"].create({"partner_id": partner.id,
                                              "lines": [{"quantity": "1", "price": "8"}]}).id

        order_id = run_unit_of_work(engine, draft)
    finally:
        engine.dispose()
    confirmed = run("alpha", "confirm", str(order_id), url=database_url)
    assert confirmed.returncode == 0, confirmed.stderr
    assert confirmed.stdout.startswith("confirmed AO")
    again = run("alpha", "confirm", str(order_id), url=database_url)
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().startswith("Error: alpha.order") and "is in state confirmed" in again.stderr
