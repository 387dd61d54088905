"""What the audit log records of the actions that exist today, and what a failure leaves behind.

Stories: an administrator installs a module, changes a setting, grants and revokes a role, is
refused the uninstall of base, purges a module with its orders; a module whose migration breaks
at step 9 of 10 leaves the schema dump exactly as it was and one audit record saying it failed;
killed there with SIGKILL instead, it leaves the schema as it was while the shop kept reading.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from loom.cli.main import cli
from loom.kernel.audit import verify_chain
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import ModuleError
from loom.kernel.installer import ModuleManager
from loom_test_support import ROOTS


@pytest.fixture
def shop(database_url):
    """A fresh database with kernel and base, and its module manager."""
    engine = create_engine(database_url)
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    yield manager
    engine.dispose()


def loom(url: str, *args: str) -> str:
    """Run ``loom --database URL ARGS`` in-process; assert success; return its output."""
    result = CliRunner(env={"LOOM_DATABASE_URL": None, "LOOM_USER": None}).invoke(cli, ["--database", url, *args])
    assert result.exit_code == 0, f"loom {' '.join(args)}: {result.output}{result.exception!r}"
    return result.stdout


def records(engine, action_prefix: str) -> list[dict]:
    """Audit records whose action starts with ``action_prefix``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT action, actor_login, model, record_id, before, after, details "
                                 "FROM loom_audit_log WHERE action LIKE :p ORDER BY seq"), {"p": action_prefix + "%"})
        return [{k: json.loads(v) if isinstance(v, str) and k in ("before", "after", "details") else v
                 for k, v in row._mapping.items()} for row in rows]


def test_installing_and_uninstalling_a_module_is_recorded_once_each(shop):
    shop.install(["loomtest_alpha"])
    shop.upgrade(["loomtest_alpha"])
    shop.uninstall("loomtest_alpha")
    modules = [(r["action"], r["details"]["modules"]) for r in records(shop.engine, "module.")]
    assert modules == [("module.install", ["kernel", "base"]), ("module.install", ["loomtest_alpha"]),
                       ("module.upgrade", ["loomtest_alpha"]), ("module.uninstall", ["loomtest_alpha"])]
    with shop.engine.connect() as conn:
        assert verify_chain(conn)[1] is None


def test_a_refused_uninstall_leaves_its_record(shop):
    with pytest.raises(ModuleError):
        shop.uninstall("base")
    refused = records(shop.engine, "module.uninstall")
    assert [(r["action"], r["actor_login"]) for r in refused] == [("module.uninstall.refused", "superuser")]
    assert refused[0]["details"]["error"] == "kernel.module_base_required"


def test_a_purge_is_recorded_and_keeps_the_audit_history(shop, tmp_path):
    shop.install(["loomtest_alpha"])
    registry = shop.registry(shop.installed())
    run_unit_of_work(shop.engine, lambda s: Environment(registry, s, su=True)["alpha.order"].create(
        {"partner_id": Environment(registry, s, su=True)["base.partner"].create({"name": "Purged Ltd."}).id}))
    history = len(records(shop.engine, ""))
    shop.uninstall("loomtest_alpha", purge=True, backup_dir=tmp_path)
    purge = records(shop.engine, "purge")
    assert len(purge) == 1 and purge[0]["details"]["business_rows"] == {"loomtest_alpha": 1}
    assert len(records(shop.engine, "")) == history + 2  # the uninstall and the purge, nothing removed


def test_role_changes_and_settings_changes_from_the_cli_are_recorded(shop):
    url = shop.engine.url.render_as_string(hide_password=False)
    loom(url, "user", "create", "auditor1", "--name", "Ann Auditor", "--password", "a-long-secret-1")
    loom(url, "role", "grant", "kernel.auditor", "auditor1")
    loom(url, "role", "revoke", "kernel.auditor", "auditor1")
    loom(url, "settings", "set", "base.tax_rounding", "document")
    grant, revoke = records(shop.engine, "role.")
    assert (grant["action"], grant["before"], grant["after"]) == ("role.grant", {"roles": []},
                                                                   {"roles": ["kernel.auditor"]})
    assert (revoke["action"], revoke["after"]) == ("role.revoke", {"roles": []})
    assert grant["model"] == "loom.user" and grant["actor_login"] == "superuser"
    (change,) = records(shop.engine, "settings.")
    assert (change["before"], change["after"]) == (None, {"base.tax_rounding": "document"})
    listed = json.loads(loom(url, "audit", "list", "--action", "role.*", "--json"))
    assert [row["action"] for row in listed] == ["role.revoke", "role.grant"]
    assert "intact" in loom(url, "audit", "verify")


def test_only_auditors_and_administrators_read_the_log(shop):
    url = shop.engine.url.render_as_string(hide_password=False)
    loom(url, "user", "create", "ann", "--password", "a-long-secret-1", "--role", "kernel.auditor")
    loom(url, "user", "create", "bob", "--password", "a-long-secret-2")
    assert json.loads(loom(url, "--user", "ann", "audit", "list", "--json"))[0]["seq"] >= 1
    refused = CliRunner(env={"LOOM_DATABASE_URL": None, "LOOM_USER": None}).invoke(
        cli, ["--database", url, "--user", "bob", "audit", "list"])
    assert refused.exit_code != 0 and refused.exception.message_id == "kernel.access_denied"


def _schema_dump(engine) -> str:
    """The whole schema as text: pg_dump --schema-only on PostgreSQL, sqlite_master on SQLite."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all()
        return "\n".join(str(tuple(row)) for row in rows)
    url = engine.url
    done = subprocess.run(["pg_dump", "--schema-only", "-h", url.host, "-p", str(url.port or 5432),
                           "-U", url.username, url.database], capture_output=True, text=True, check=True)
    return "\n".join(line for line in done.stdout.splitlines()  # \restrict carries a random key per dump
                     if not line.startswith(("\\restrict", "\\unrestrict")))


BREAKS = 'raise RuntimeError("the migration breaks at step 9 of 10")'


def _broken_module(tmp_path, monkeypatch, at_step_nine: str = BREAKS) -> str:
    """A module depending on alpha whose migration of ten steps does ``at_step_nine`` at step nine."""
    name = f"broken_{uuid.uuid4().hex[:6]}"
    folder = tmp_path / name
    (folder / "migrations").mkdir(parents=True)
    (folder / "module.toml").write_text(f'name = "{name}"\nversion = "1.0.0"\ndepends = ["loomtest_alpha"]\n')
    (folder / "__init__.py").write_text("def register(loom):\n    pass\n")
    (folder / "migrations" / f"{name}_0001.py").write_text(textwrap.dedent(f'''
        from alembic import op
        import sqlalchemy as sa
        revision = "{name}_0001"
        down_revision = None
        branch_labels = ("{name}",)
        depends_on = None

        def upgrade():
            for step in range(1, 11):
                if step == 9:
                    {at_step_nine}
                op.create_table(f"half_done_{{step}}", sa.Column("id", sa.Integer, primary_key=True))
                op.execute("UPDATE base_partner SET name = name")
            op.add_column("base_partner", sa.Column("half_done", sa.Integer))

        def downgrade():
            pass
        '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is needed to dump the PostgreSQL schema")
def test_a_migration_failing_at_step_nine_leaves_the_schema_dump_unchanged_and_one_audit_record(
        shop, tmp_path, monkeypatch):
    name = _broken_module(tmp_path, monkeypatch)
    manager = ModuleManager(shop.engine, roots=(*ROOTS, str(tmp_path)))
    before, installed = _schema_dump(shop.engine), shop.installed()
    with pytest.raises(RuntimeError, match="step 9 of 10"):
        manager.install([name])
    assert _schema_dump(shop.engine) == before
    assert manager.installed() == installed
    (failed,) = records(shop.engine, "module.install.")
    assert failed["action"] == "module.install.failed"
    assert failed["details"]["modules"] == [name] and "step 9 of 10" in failed["details"]["message"]
    with shop.engine.connect() as conn:
        assert verify_chain(conn)[1] is None


def test_an_install_killed_at_step_nine_leaves_no_trace_and_readers_are_served_meanwhile(shop, tmp_path, monkeypatch):
    marker = tmp_path / "at_step_nine"
    name = _broken_module(tmp_path, monkeypatch,
                          f"open({str(marker)!r}, 'w').close(); __import__('time').sleep(120)")
    url = shop.engine.url.render_as_string(hide_password=False)
    roots = [*ROOTS, str(tmp_path)]
    before, installed, history = _schema_dump(shop.engine), shop.installed(), len(records(shop.engine, ""))
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        sys.path[:0] = {roots!r}
        from loom.kernel.db import create_engine
        from loom.kernel.installer import ModuleManager
        ModuleManager(create_engine({url!r}), roots={roots!r}).install([{name!r}])
        """)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the install never reached step 9"
        with shop.engine.connect() as conn:  # the shop keeps reading while the install hangs
            assert conn.execute(text("SELECT count(*) FROM loom_company")).scalar() >= 1
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _schema_dump(shop.engine) == before
    assert shop.installed() == installed
    assert len(records(shop.engine, "")) == history  # a killed process writes nothing, not even its failure
