"""The registry: composition per installed set, extensions, ownership and eager validation.

Stories: one process serves a shop with only base and another with the test modules, side by
side; a module that extends a model it does not depend on, or implements a hook it cannot know,
is refused when the registry is built, naming the module.
"""

from __future__ import annotations

import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect

from loom.kernel.errors import ConfigurationError
from loom.kernel.manifest import discover
from loom.kernel.registry import Registry, registry_for
from loom_test_support import ROOTS


def test_two_registries_with_different_sets_live_side_by_side():
    plain = registry_for(frozenset({"base"}))
    extended = registry_for(frozenset({"loomtest_alpha", "loomtest_beta"}), ROOTS)
    assert "beta_level" not in inspect(plain["base.partner"]).columns
    assert "beta_level" in inspect(extended["base.partner"]).columns
    assert plain["base.partner"] is not extended["base.partner"]
    assert plain["base.partner"].__table__.metadata is not extended["base.partner"].__table__.metadata
    assert "alpha.order" in extended and "alpha.order" not in plain
    assert extended.modules[:2] == ["kernel", "base"]
    assert extended.modules[-1] == "loomtest_alpha_beta"  # the bridge joined by itself


def test_extensions_call_down_to_the_declaring_module():
    registry = registry_for(frozenset({"loomtest_beta"}), ROOTS)
    partner = registry["base.partner"](name="Acme", beta_level="gold")
    assert partner.display_name() == "Acme [gold]"
    assert registry["base.partner"](name="Plain").display_name() == "Plain"


def test_table_args_of_every_module_are_merged_and_owned():
    table = registry_for(frozenset({"loomtest_alpha", "loomtest_beta"}), ROOTS)["alpha.order"].__table__
    checks = {c.name: c.info.get("module") for c in table.constraints if c.name and c.name.startswith("ck_")}
    indexes = {i.name: i.info.get("module") for i in table.indexes}
    assert checks == {"ck_alpha_order_name_not_empty": "loomtest_alpha"}
    assert indexes["ix_alpha_order_state_ticket_id"] == "loomtest_alpha_beta"
    assert table.info["module"] == "loomtest_alpha"
    assert table.c.ticket_id.info["module"] == "loomtest_alpha_beta"
    assert table.c.amount_total.info["module"] == "loomtest_alpha"


def test_field_metadata_describes_every_field():
    fields = registry_for(frozenset({"loomtest_alpha"}), ROOTS).fields("alpha.order")
    assert fields["partner_id"].kind == "many2one" and fields["partner_id"].target == "base.partner"
    assert fields["lines"].kind == "one2many" and fields["lines"].target == "alpha.order.line"
    assert fields["amount_total"].kind == "decimal" and fields["amount_total"].scale == 4
    assert fields["amount_total"].readonly  # computed
    assert fields["state"].selection == ("draft", "confirmed", "done", "cancelled", "waiting_approval")
    assert fields["company_id"].required and fields["version"].readonly


# -- modules that break the rules, written into a temporary folder -----------------------------


def write_module(root: Path, name: str, depends: list[str], files: dict[str, str]) -> None:
    """A module folder ``root/name`` with a manifest and ``files``."""
    folder = root / name
    folder.mkdir(parents=True)
    deps = ", ".join(f'"{d}"' for d in depends)
    (folder / "module.toml").write_text(f'name = "{name}"\nversion = "1.0.0"\ndepends = [{deps}]\n')
    for file, text in files.items():
        (folder / file).write_text(textwrap.dedent(text))


@pytest.fixture
def scratch_modules(tmp_path, monkeypatch):
    """A folder for throw-away modules, on sys.path, with a unique name suffix per test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    suffix = uuid.uuid4().hex[:6]
    yield tmp_path, suffix
    for name in [m for m in sys.modules if m.endswith(suffix) or f"{suffix}." in m]:
        del sys.modules[name]


def build(root: Path, *wanted: str) -> Registry:
    """A registry of ``wanted`` with the test modules and ``root``'s modules discoverable."""
    return Registry(list(wanted), discover(extra_paths=(*ROOTS, str(root))))


def test_extending_a_model_outside_the_dependency_closure_is_refused(scratch_modules):
    root, suffix = scratch_modules
    write_module(root, f"rogue_{suffix}", ["base"], {"__init__.py": """
        from sqlalchemy.orm import Mapped, mapped_column
        from loom.kernel.model import Model

        class Order(Model):
            __model__ = "alpha.order"
            rogue: Mapped[int | None] = mapped_column()

        def register(loom):
            loom.models(Order)
        """})
    with pytest.raises(ConfigurationError) as caught:
        build(root, "loomtest_alpha", f"rogue_{suffix}")
    assert caught.value.message_id == "kernel.model_extension_outside_closure"
    assert caught.value.params["module"] == f"rogue_{suffix}"
    assert caught.value.params["owner"] == "loomtest_alpha"


def test_implementing_a_hook_outside_the_dependency_closure_is_refused(scratch_modules):
    root, suffix = scratch_modules
    write_module(root, f"eaves_{suffix}", ["base"], {"__init__.py": """
        from loom.kernel.hooks import hookimpl

        class Listener:
            @hookimpl
            def on_alpha_confirmed(self, env, orders):
                pass

        def register(loom):
            loom.hooks(Listener())
        """})
    with pytest.raises(ConfigurationError) as caught:
        build(root, "loomtest_alpha", f"eaves_{suffix}")
    assert caught.value.params == {"module": f"eaves_{suffix}", "hook": "on_alpha_confirmed",
                                   "owner": "loomtest_alpha"}


@pytest.mark.parametrize("body, message_id", [
    ("def on_alpha_confirmd(self, env, orders):\n                pass", "kernel.hook_unknown"),
    ("def on_alpha_confirmed(self, env, order_list):\n                pass", "kernel.hook_invalid"),
])
def test_unknown_hooks_and_wrong_arguments_are_refused_naming_the_module(scratch_modules, body, message_id):
    root, suffix = scratch_modules
    write_module(root, f"typo_{suffix}", ["loomtest_alpha"], {"__init__.py": f"""
        from loom.kernel.hooks import hookimpl

        class Listener:
            @hookimpl
            {body}

        def register(loom):
            loom.hooks(Listener())
        """})
    with pytest.raises(ConfigurationError) as caught:
        build(root, f"typo_{suffix}")
    assert caught.value.message_id == message_id
    assert f"typo_{suffix}" in str(caught.value)


def test_a_module_without_register_is_refused(scratch_modules):
    root, suffix = scratch_modules
    write_module(root, f"empty_{suffix}", ["base"], {"__init__.py": '"""Nothing here."""\n'})
    with pytest.raises(ConfigurationError) as caught:
        build(root, f"empty_{suffix}")
    assert caught.value.params["module"] == f"empty_{suffix}"
