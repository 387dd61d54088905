"""The conformance suite every module inherits by naming itself.

A module's test file says::

    class TestSalesConformance(ModuleConformance):
        module = "sales"

and gets, on the run's backend: its migrations agree with its models for its dependency closure;
its hook implementations match their specs (the registry builds); its models, their extensions and
its hook specs are documented; its declared triggers and views exist after installation; its
models name real selection states; and it uninstalls back to the starting schema.
"""

from __future__ import annotations

import inspect as pyinspect

import pytest
from sqlalchemy import inspect

from loom.kernel.db import create_engine
from loom.kernel.errors import ModuleError
from loom.kernel.installer import ModuleManager
from loom.kernel.manifest import closure, discover
from loom.kernel.registry import registry_for
from loom.kernel.schema_check import schema_differences
from loom_test_support import ROOTS


def schema_snapshot(engine) -> dict[str, list]:
    """Tables with their columns, indexes and foreign keys: what an uninstall must give back."""
    insp = inspect(engine)
    return {table: [sorted(c["name"] for c in insp.get_columns(table)),
                    sorted(i["name"] or "" for i in insp.get_indexes(table)),
                    sorted(str(fk["referred_table"]) + str(fk["constrained_columns"])
                           for fk in insp.get_foreign_keys(table))]
            for table in sorted(insp.get_table_names()) if table != "alembic_version"}


class ModuleConformance:
    """Generic checks for the module named by ``module`` (set it in the subclass)."""

    module: str = ""

    @pytest.fixture(scope="class")
    @classmethod
    def manifests(cls):
        return discover(extra_paths=ROOTS)

    @pytest.fixture(scope="class")
    @classmethod
    def registry(cls, manifests):
        return registry_for(frozenset(closure(manifests, cls.module)), ROOTS)

    @pytest.fixture(scope="class")
    @classmethod
    def installed_closure(cls, database_factory):
        engine = create_engine(database_factory())
        manager = ModuleManager(engine, roots=ROOTS)
        manager.install([cls.module])
        yield engine, manager
        engine.dispose()

    def test_migrations_agree_with_models(self, installed_closure):
        engine, manager = installed_closure
        assert schema_differences(engine, manager.registry(manager.installed())) == []

    def test_models_and_extensions_are_documented(self, registry):
        for name in registry.compositions:
            for module, cls in registry._registrars_parts(name):
                if module == self.module:
                    assert (cls.__doc__ or "").strip(), f"{cls.__name__} ({name}) has no docstring"

    def test_hook_specs_and_implementations_are_documented(self, registry):
        for spec_module in registry._registrars[self.module].spec_modules:
            for name, function in pyinspect.getmembers(spec_module, pyinspect.isfunction):
                if hasattr(function, "loom_spec"):
                    assert (function.__doc__ or "").strip(), f"hook spec {name} has no docstring"
        for plugin in registry._registrars[self.module].plugins:
            for name, function in pyinspect.getmembers(plugin, callable):
                if hasattr(function, "loom_impl"):
                    assert (function.__doc__ or "").strip(), f"hook implementation {name} has no docstring"

    def test_selection_defaults_are_allowed_values(self, registry):
        for name in registry.model_names_of(self.module):
            for column in registry[name].__table__.columns:
                allowed = column.info.get("selection")
                default = column.default.arg if column.default is not None and column.default.is_scalar else None
                if allowed and default is not None:
                    assert default in allowed, f"{name}.{column.key} defaults to {default!r}"

    def test_workflows_are_valid_and_use_real_states(self, registry):
        from loom.kernel.workflow import check_workflows

        for name, workflow in check_workflows(registry).items():  # raises naming a bad declaration
            column = registry[name].__table__.columns[workflow.field]
            allowed = column.info.get("selection")
            assert allowed is None or set(workflow.states) <= set(allowed), f"{name}: states outside {allowed}"

    def test_declared_triggers_exist(self, installed_closure):
        engine, manager = installed_closure
        registry = manager.registry(manager.installed())
        assert [line for line in schema_differences(engine, registry) if "trigger" in line] == []

    def test_uninstall_returns_to_the_starting_schema(self, database_factory):
        engine = create_engine(database_factory())
        if self.module == "base":  # the starting schema itself: it never leaves
            ModuleManager(engine, roots=ROOTS).install(["base"])
            with pytest.raises(ModuleError, match="always installed"):
                ModuleManager(engine, roots=ROOTS).uninstall("base")
            engine.dispose()
            return
        try:
            manager = ModuleManager(engine, roots=ROOTS)
            manager.install(["base"])
            start = schema_snapshot(engine)
            plan = manager.install([self.module])
            for name in reversed(plan.modules):  # dependencies the module brought leave too
                if name in manager.installed():
                    manager.uninstall(name, cascade=True)
            assert schema_snapshot(engine) == start
            assert set(manager.installed()) == {"kernel", "base"}
        finally:
            engine.dispose()
