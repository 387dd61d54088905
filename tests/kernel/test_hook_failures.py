"""F2: a module's event hook that raises, or that swallows a database error, rolls the whole action back.

The list of hooks comes from the registry of every shipped and test module: each business event
(``on_*``) called inside a unit of work has a scenario here that fires it. For each one a probe
module implements the hook twice over: once raising, once catching a database error and going on.
Either way the action fails, the error names the probe module and the hook, and every table holds
exactly the rows it held before (row counts and content hashes per table). Two tables move on
purpose and are left out: the security audit log, where failed and refused actions leave a record
committed on its own, and the counters of standard sequences, which PostgreSQL advances in their
own short transaction (gaps allowed, so confirmations never wait on each other). A new event
hook without a scenario here fails ``test_every_event_hook_has_a_scenario``.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from loom.kernel.backup.digest import database_digests
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.hooks import hookimpl
from loom.kernel.installer import ModuleManager
from loom.kernel.manifest import discover
from loom.kernel.registry import registry_for
from loom.kernel.workflow import add_rule
from loom_test_support import ROOTS
from loomtest_alpha.testing import draft_orders

PROBE = "f2_probe"
#: Hooks called outside any unit of work (at registry build): nothing to roll back.
OUTSIDE_UNITS = {"on_registry_ready"}
#: Committed on their own by design: records of failed and refused actions, standard sequence counters.
OWN_TRANSACTION_TABLES = {"loom_audit_log", "loom_audit_head", "loom_sequence_counter"}


class Shop:
    """A database with base installed, its module manager, and helpers to run units in it."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.manager = ModuleManager(self.engine, roots=ROOTS)
        self.manager.install(["base"])

    def registry_of(self, *modules: str):
        return self.manager.registry({"base", *modules})

    def run(self, registry, work: Callable[[Environment], object]) -> object:
        return run_unit_of_work(self.engine, lambda session: work(Environment(registry, session, su=True)))

    def digests(self) -> dict:
        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            registry = self.registry_of(*self.manager.installed())
            digests = database_digests(conn, registry.metadata)
        return {"tables": tables - OWN_TRANSACTION_TABLES,
                "rows": {name: value for name, value in digests.items() if name not in OWN_TRANSACTION_TABLES}}


# -- scenarios: each prepares what it needs, then returns the action that fires its hook ------------


def _confirm_a_draft_order(shop: Shop, *, with_rule: bool = False):
    shop.manager.install(["loomtest_alpha"])
    registry = shop.registry_of("loomtest_alpha")

    def prepare(env):
        if with_rule:
            add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                           "amount_field": "amount_total", "threshold": "100"})
        return draft_orders(env, 2, price="250")[0].id

    order_id = shop.run(registry, prepare)
    return registry, lambda: shop.run(registry, lambda env: env["alpha.order"].transition(
        "confirm", env["alpha.order"].browse([order_id])))


def _install_alpha(shop: Shop):
    return shop.registry_of("loomtest_alpha"), lambda: shop.manager.install(["loomtest_alpha"])


def _uninstall_alpha(shop: Shop):
    shop.manager.install(["loomtest_alpha"])
    return shop.registry_of("loomtest_alpha"), lambda: shop.manager.uninstall("loomtest_alpha")


def _delete_a_partner(shop: Shop):
    registry = shop.registry_of()
    partner_id = shop.run(registry, lambda env: env["base.partner"].create({"name": "Gone Soon Co."}).id)
    return registry, lambda: shop.run(registry, lambda env: env["base.partner"].delete(
        env["base.partner"].browse([partner_id])))


SCENARIOS = {
    "on_records_deleted": _delete_a_partner,
    "on_alpha_confirmed": _confirm_a_draft_order,
    "on_transition": _confirm_a_draft_order,
    "on_approval_requested": lambda shop: _confirm_a_draft_order(shop, with_rule=True),
    "on_module_installed": _install_alpha,
    "on_module_uninstalling": _uninstall_alpha,
}


def _event_hooks() -> set[str]:
    everything = frozenset(name for name in discover(extra_paths=ROOTS) if name != "kernel")
    registry = registry_for(everything, ROOTS)
    return {name for name in registry.pm.loom_spec_owner if name.startswith("on_")} - OUTSIDE_UNITS


def test_every_event_hook_has_a_scenario():
    assert _event_hooks() == set(SCENARIOS)


def _probe(hook: str, behaviour: str) -> types.SimpleNamespace:
    """A plugin implementing ``hook`` that raises, or runs a failing statement and ignores the error."""

    def implementation(env):
        if behaviour == "raises":
            raise RuntimeError(f"the probe fails in {hook}")
        with contextlib.suppress(DBAPIError):
            env.session.execute(text("SELECT balance FROM f2_probe_missing_table"))

    implementation.__name__ = hook
    return types.SimpleNamespace(**{hook: hookimpl(implementation)})


@pytest.mark.parametrize("behaviour", ["raises", "swallows"])
@pytest.mark.parametrize("hook", sorted(SCENARIOS))
def test_a_failing_hook_rolls_the_whole_action_back_and_is_named(database_url, hook, behaviour):
    shop = Shop(database_url)
    try:
        registry, action = SCENARIOS[hook](shop)
        before = shop.digests()
        registry.pm.register(_probe(hook, behaviour), name=f"{PROBE}:{behaviour}")
        try:
            with pytest.raises(Exception) as caught:
                action()
        finally:
            registry.pm.unregister(name=f"{PROBE}:{behaviour}")
        assert getattr(caught.value, "loom_hook", None) == (hook, PROBE), caught.value
        assert shop.digests() == before
    finally:
        shop.engine.dispose()
