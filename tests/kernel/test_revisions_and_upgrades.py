"""``loom module revision`` writes only what a module owns; ``upgrade`` runs new revisions.

Stories: an integrator adds a field to partners in their module and generates the migration: it
holds that column and nothing of base; after shipping it, `loom module upgrade` adds the column
to a running database and records the new version.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect

from loom.kernel.db import create_engine
from loom.kernel.installer import ModuleManager
from loom.kernel.registry import registry_for
from loom.kernel.revision import new_revision
from loom_test_support import ROOTS


def make_module(root, name: str, version: str, fields: str) -> None:
    """A module ``name`` extending partners with ``fields`` (one declaration per line)."""
    folder = root / name
    folder.mkdir(exist_ok=True)
    (folder / "module.toml").write_text(f'name = "{name}"\nversion = "{version}"\ndepends = ["base"]\n')
    body = "\n".join("    " + line for line in fields.splitlines())
    (folder / "__init__.py").write_text(
        "from sqlalchemy import String\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n"
        "from loom.kernel.model import Model\n\n\n"
        "class Partner(Model):\n"
        f'    """What {name} adds to partners."""\n\n'
        '    __model__ = "base.partner"\n'
        f"{body}\n\n\n"
        "def register(loom):\n"
        "    loom.models(Partner)\n")


@pytest.fixture
def integrator(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path, f"crm_{uuid.uuid4().hex[:6]}"


def test_a_revision_holds_only_what_the_module_owns(integrator):
    root, name = integrator
    make_module(root, name, "1.0.0", 'wechat_id: Mapped[str | None] = mapped_column(String(64))')
    path = new_revision(name, "wechat ids", roots=(*ROOTS, str(root)))
    text = path.read_text()
    assert path.name.startswith(f"{name}_0001")
    assert "add_column(sa.Column('wechat_id'" in text
    assert "create_table" not in text and "base_partner_tag" not in text
    assert new_revision(name, "nothing new", roots=(*ROOTS, str(root))) is None


def test_upgrade_runs_the_new_revision_and_records_the_version(integrator, database_factory):
    root, name = integrator
    roots = (*ROOTS, str(root))
    make_module(root, name, "1.0.0", 'wechat_id: Mapped[str | None] = mapped_column(String(64))')
    new_revision(name, "wechat ids", roots=roots)
    engine = create_engine(database_factory())
    try:
        ModuleManager(engine, roots=roots).install([name])
        make_module(root, name, "1.1.0", 'wechat_id: Mapped[str | None] = mapped_column(String(64))\n'
                                         'douyin_id: Mapped[str | None] = mapped_column(String(64))')
        for module in [m for m in __import__("sys").modules if m == name or m.startswith(name + ".")]:
            del __import__("sys").modules[module]
        registry_for.cache_clear()
        second = new_revision(name, "douyin ids", roots=roots)
        assert second.name.startswith(f"{name}_0002") and "douyin_id" in second.read_text()
        manager = ModuleManager(engine, roots=roots)
        assert manager.upgrade([name], dry_run=True).modules == [name]
        manager.upgrade([name])
        columns = {c["name"] for c in inspect(engine).get_columns("base_partner")}
        assert {"wechat_id", "douyin_id"} <= columns
        assert manager.installed()[name] == "1.1.0"
    finally:
        engine.dispose()
        registry_for.cache_clear()
