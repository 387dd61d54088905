"""The base module as shipped: data files, translations, messages, documentation, upgrades."""

import re
import tomllib
from pathlib import Path

import pytest

from loom.kernel.db import create_engine
from loom.kernel.installer import ModuleManager
from loom.kernel.registrar import ModuleRegistrar
from loom.kernel.schema_check import schema_differences
from loom.modules.base import register

BASE = Path(__file__).resolve().parents[3] / "modules" / "base"
TRANSLATED = ("base.currency", "base.uom", "base.uom.category", "base.product.category", "base.tax",
              "base.product")


def catalog(lang):
    return tomllib.loads((BASE / "i18n" / f"{lang}.toml").read_text("utf-8"))


def test_both_catalogs_hold_the_same_messages():
    assert set(catalog("en")) == set(catalog("zh_CN"))


def test_every_message_the_code_raises_is_in_the_catalogs():
    used = {m for path in BASE.glob("*.py")
            for m in re.findall(r'Error\(\s*"base\.(\w+)"', path.read_text("utf-8"))}
    assert used and used <= set(catalog("en"))


def test_every_shipped_name_is_translated(base_env):
    for model in TRANSLATED:
        rows = base_env["loom.external_id"].search([["module", "=", "base"], ["model", "=", model]])
        records = base_env[model].browse([row.res_id for row in rows])
        assert records, model
        assert [r.name for r in records if not r.name_zh] == [], model


def test_every_model_and_extension_is_documented_in_business_language():
    registrar = ModuleRegistrar("base")
    register(registrar)
    assert len(registrar.model_classes) == 10
    for cls in registrar.model_classes:
        assert len((cls.__doc__ or "").split()) > 12, cls.__model__


def test_roles_for_users_and_managers(base_env):
    roles = {r.code for r in base_env["loom.role"].search()}
    assert {"base.user", "base.manager"} <= roles
    manager_rows = base_env["loom.access"].search([["role_id.code", "=", "base.manager"]])
    assert {row.model for row in manager_rows} >= set(base_env.registry.model_names_of("base"))


@pytest.mark.parametrize("demo", [False, True])
def test_upgrading_reloads_the_data_without_duplicating_it(database_url, demo):
    engine = create_engine(database_url)
    try:
        manager = ModuleManager(engine)
        installed = manager.install(["base"], demo=demo)
        assert installed.loaded["base"].created["base.tax"] == 14
        again = manager.upgrade(["base"])
        assert again.loaded["base"].created == {}
    finally:
        engine.dispose()


def test_the_migrations_build_exactly_the_schema_of_the_models(installed):
    database = installed("base", demo=True)
    assert schema_differences(database.engine, database.registry) == []
