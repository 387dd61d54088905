"""Long module work shows its progress on a terminal, and nothing anywhere else.

The module manager reports each step (``migrate``, ``load data``, ``downgrade``) of each module
to a ``progress`` callback; the CLI draws those steps as a bar on stderr only when stderr is a
terminal, so pipes, tests and ``--json`` output stay clean.
"""

from __future__ import annotations

import json

import pytest

from loom_test_support import ROOTS


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stderr is a terminal."""
    import loom.cli.progress

    monkeypatch.setattr(loom.cli.progress, "showing", lambda: True)


def test_the_module_manager_reports_every_step_of_every_module(database_url):
    from loom.kernel.db import create_engine
    from loom.kernel.installer import ModuleManager

    engine = create_engine(database_url)
    manager = ModuleManager(engine, roots=ROOTS)
    steps: list[tuple[str, str]] = []
    try:
        manager.install(["loomtest_alpha"], dry_run=True, progress=lambda *step: steps.append(step))
        assert steps == []  # a dry run does nothing, so reports nothing

        manager.install(["loomtest_alpha"], progress=lambda *step: steps.append(step))
        assert steps == [("migrate", "kernel"), ("migrate", "base"), ("migrate", "loomtest_alpha"),
                         ("load data", "kernel"), ("load data", "base"), ("load data", "loomtest_alpha")]

        steps.clear()
        manager.upgrade(["loomtest_alpha"], progress=lambda *step: steps.append(step))
        assert steps == [("migrate", "loomtest_alpha"), ("load data", "loomtest_alpha")]

        steps.clear()
        manager.uninstall("loomtest_alpha", progress=lambda *step: steps.append(step))
        assert steps == [("downgrade", "loomtest_alpha")]
    finally:
        engine.dispose()


def test_on_a_terminal_the_cli_draws_each_step_on_stderr(loom, terminal):
    result = loom("init", env={"LOOM_ADMIN_PASSWORD": "admin-secret-1"})

    assert result.exit_code == 0, result.output
    assert "load data base" in result.stderr
    assert "Installed 2 modules: kernel, base" in result.stdout
    assert "load data" not in result.stdout

    upgrade = loom("module", "upgrade", "--json")
    assert "migrate kernel" in upgrade.stderr
    assert json.loads(upgrade.stdout)["modules"] == ["kernel", "base"]  # stdout stays pure JSON

    dry_run = loom("module", "upgrade", "--dry-run")
    assert (dry_run.exit_code, dry_run.stderr) == (0, "")  # nothing is done, nothing is drawn


def test_off_a_terminal_nothing_is_drawn(shop):
    result = shop("module", "upgrade")

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Upgraded: kernel, base"
    assert result.stderr == ""
