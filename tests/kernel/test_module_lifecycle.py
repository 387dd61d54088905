"""Installing and uninstalling modules: plans, bridges, refusals, purges, failures, triggers.

Stories: a shop installs alpha, later beta, and the bridge between them arrives by itself; it
removes beta and the bridge leaves with it; it cannot remove a module that still holds its orders
unless it purges them (a backup is taken first); a module whose migration breaks halfway leaves
the database exactly as it was.
"""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from conformance import schema_snapshot
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import ModuleError
from loom.kernel.hooks import hookimpl
from loom.kernel.installer import ModuleManager
from loom.kernel.registry import registry_for
from loom_test_support import ROOTS


@pytest.fixture
def shop(database_factory):
    """A fresh database with kernel and base, and its module manager."""
    engine = create_engine(database_factory())
    manager = ModuleManager(engine, roots=ROOTS)
    manager.install(["base"])
    yield manager
    engine.dispose()


def test_a_bridge_arrives_with_its_last_dependency_and_leaves_with_the_first(shop):
    assert shop.install(["loomtest_alpha"]).modules == ["loomtest_alpha"]
    assert shop.install(["loomtest_beta"]).modules == ["loomtest_beta", "loomtest_alpha_beta"]
    assert shop.uninstall("loomtest_beta").modules == ["loomtest_alpha_beta", "loomtest_beta"]
    assert set(shop.installed()) == {"kernel", "base", "loomtest_alpha"}


def test_a_dry_run_prints_the_plan_and_changes_nothing(shop):
    before = schema_snapshot(shop.engine)
    plan = shop.install(["loomtest_alpha", "loomtest_beta"], dry_run=True)
    assert plan.modules == ["loomtest_alpha", "loomtest_beta", "loomtest_alpha_beta"] and plan.dry_run
    assert set(shop.installed()) == {"kernel", "base"}
    assert schema_snapshot(shop.engine) == before


def test_uninstall_is_refused_while_dependents_are_installed_unless_cascading(database_factory, monkeypatch):
    engine = create_engine(database_factory())
    try:
        root = Path(__file__).parent / "lifecycle_modules"
        manager = ModuleManager(engine, roots=(*ROOTS, str(root)))
        monkeypatch.syspath_prepend(str(root))
        manager.install(["loomtest_gamma"])
        with pytest.raises(ModuleError) as caught:
            manager.uninstall("loomtest_alpha")
        assert caught.value.message_id == "kernel.module_has_dependents"
        assert "loomtest_gamma" in str(caught.value)
        plan = manager.uninstall("loomtest_alpha", cascade=True)
        assert plan.modules == ["loomtest_gamma", "loomtest_alpha"]
    finally:
        engine.dispose()


def test_base_can_never_be_uninstalled(shop):
    with pytest.raises(ModuleError) as caught:
        shop.uninstall("base")
    assert caught.value.message_id == "kernel.module_base_required"


def _order_something(manager: ModuleManager) -> None:
    registry = manager.registry(manager.installed())

    def unit(session):
        env = Environment(registry, session, su=True)
        partner = env["base.partner"].create({"name": "Purge Test Ltd."})
        env["alpha.order"].create({"partner_id": partner.id, "lines": [{"quantity": "1", "price": "5"}]})

    run_unit_of_work(manager.engine, unit)


def test_business_rows_block_uninstall_until_purged_with_a_backup(shop, tmp_path):
    shop.install(["loomtest_alpha"])
    _order_something(shop)
    with pytest.raises(ModuleError) as caught:
        shop.uninstall("loomtest_alpha")
    assert caught.value.message_id == "kernel.module_owns_business_rows"
    assert "loomtest_alpha: 2" in str(caught.value)  # one order and its line
    assert "loomtest_alpha" in shop.installed()
    plan = shop.uninstall("loomtest_alpha", purge=True, backup_dir=tmp_path)
    assert plan.business_rows == {"loomtest_alpha": 2}
    assert plan.backup and Path(plan.backup).exists() or shop.engine.dialect.name == "postgresql"
    with shop.engine.connect() as conn:
        leftovers = conn.execute(text("SELECT count(*) FROM loom_external_id WHERE module = 'loomtest_alpha'"))
        assert leftovers.scalar() == 0
        roles = conn.execute(text("SELECT count(*) FROM loom_role WHERE code = 'loomtest_alpha.clerk'"))
        assert roles.scalar() == 0


def test_a_migration_failing_halfway_leaves_no_trace(shop, tmp_path, monkeypatch):
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
            op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
            op.add_column("base_partner", sa.Column("half_done", sa.Integer))
            raise RuntimeError("the migration breaks halfway")

        def downgrade():
            pass
        '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    manager = ModuleManager(shop.engine, roots=(*ROOTS, str(tmp_path)))
    before, installed_before = schema_snapshot(shop.engine), shop.installed()
    with pytest.raises(RuntimeError, match="halfway"):
        manager.install([name])
    assert schema_snapshot(shop.engine) == before
    assert manager.installed() == installed_before  # loomtest_alpha, pulled in, is not half-installed


def test_triggers_survive_a_table_rebuild_by_another_module(shop):
    shop.install(["loomtest_alpha", "loomtest_beta"])
    shop.uninstall("loomtest_beta")  # the bridge drops a column of alpha_order: SQLite rebuilds the table
    registry = registry_for(frozenset({"loomtest_alpha"}), ROOTS)

    def finish_and_tamper(session):
        env = Environment(registry, session, su=True)
        partner = env["base.partner"].create({"name": "Trigger Test Co."})
        order = env["alpha.order"].create({"partner_id": partner.id, "lines": [{"quantity": "1", "price": "2"}]})
        session.execute(text("UPDATE alpha_order SET state = 'done' WHERE id = :id"), {"id": order.id})
        session.execute(text("UPDATE alpha_order SET amount_total = 0 WHERE id = :id"), {"id": order.id})

    with pytest.raises(Exception, match="alpha_order_done_immutable"):
        run_unit_of_work(shop.engine, finish_and_tamper)
    with shop.engine.connect() as conn:  # the view over the rebuilt table is back too
        assert conn.execute(text("SELECT COUNT(*) FROM alpha_order_summary")).scalar() == 0


def test_an_installed_module_whose_code_is_gone_is_named(shop):
    shop.install(["loomtest_alpha"])
    without_alpha = ModuleManager(shop.engine)  # the test modules are not discoverable here
    with pytest.raises(ModuleError) as caught:
        without_alpha.install(["base"])
    assert caught.value.message_id == "kernel.module_code_missing"
    assert "loomtest_alpha" in str(caught.value)


class RefusesToLeave:
    """A test plugin that fails while a module is being uninstalled."""

    @hookimpl
    def on_module_uninstalling(self, env, module):
        """Fail after the kernel rows are about to be forgotten."""
        raise RuntimeError(f"{module} cannot leave today")


def test_a_failed_uninstall_leaves_no_trace(shop):
    shop.install(["loomtest_alpha", "loomtest_beta"])
    before, installed_before = schema_snapshot(shop.engine), shop.installed()
    pm = shop.registry(installed_before).pm
    pm.register(RefusesToLeave(), name="loomtest_beta:refuses")
    try:
        with pytest.raises(RuntimeError, match="cannot leave"):
            shop.uninstall("loomtest_beta")
    finally:
        pm.unregister(name="loomtest_beta:refuses")
    assert schema_snapshot(shop.engine) == before
    assert shop.installed() == installed_before
    with shop.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM loom_role WHERE code = 'loomtest_beta.agent'")).scalar() == 1


def test_values_in_a_column_a_module_added_count_as_its_business_data(shop, tmp_path):
    shop.install(["loomtest_beta"])
    registry = shop.registry(shop.installed())
    run_unit_of_work(shop.engine, lambda s: Environment(registry, s, su=True)["base.partner"].create(
        {"name": "Gold Customer Ltd.", "beta_level": "gold"}))
    with pytest.raises(ModuleError) as caught:
        shop.uninstall("loomtest_beta")
    assert "loomtest_beta: 1" in str(caught.value)
    assert shop.uninstall("loomtest_beta", purge=True, backup_dir=tmp_path).business_rows == {"loomtest_beta": 1}
