"""Module sets: each module alone, each pair, all, and seeded random subsets install, work,
agree with their migrations, and uninstall back to the starting schema (kernel + base)."""

from __future__ import annotations

import itertools
import os
import random

import pytest

from conformance import schema_snapshot
from loom.kernel.db import create_engine, run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.manifest import discover
from loom.kernel.schema_check import schema_differences
from loom_test_support import ROOTS, size

OPTIONAL = sorted(name for name in discover(extra_paths=ROOTS) if name != "base"
                  and discover(extra_paths=ROOTS)[name].distribution is None)
SEED = int(os.environ.get("LOOM_TEST_SEED", "20261125"))


def module_sets() -> list[tuple[str, ...]]:
    """Every module alone, every pair, all of them, and seeded random subsets (3 in ci, 30 in full)."""
    sets = [(m,) for m in OPTIONAL] + list(itertools.combinations(OPTIONAL, 2)) + [tuple(OPTIONAL)]
    rng = random.Random(SEED)
    sets += [tuple(sorted(rng.sample(OPTIONAL, rng.randint(1, len(OPTIONAL))))) for _ in range(size(3, 30))]
    return list(dict.fromkeys(sets))


def smoke(env: Environment) -> None:
    """Use what is installed: partners always, orders and tickets when their modules are there."""
    partner = env["base.partner"].create({"name": "Smoke Test Trading Co."})
    if "alpha.order" in env:
        from loomtest_alpha.order import confirm

        order = env["alpha.order"].create({"partner_id": partner.id,
                                           "lines": [{"quantity": "3", "price": "9.99"}]})
        confirm(env, [order])
        assert order.amount_total == order.lines[0].subtotal
        if "beta.ticket" in env:
            assert order.ticket_id is not None  # the bridge opened a ticket
    if "beta.ticket" in env:
        env["beta.ticket"].create({"subject": "Smoke", "partner_id": partner.id})


@pytest.mark.parametrize("modules", module_sets(), ids="+".join)
def test_a_module_set_installs_works_and_uninstalls_to_the_starting_schema(database_factory, modules):
    engine = create_engine(database_factory())
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        manager.install(["base"])
        start = schema_snapshot(engine)
        plan = manager.install(list(modules))
        registry = manager.registry(manager.installed())
        assert schema_differences(engine, registry) == []
        run_unit_of_work(engine, lambda session: smoke(Environment(registry, session, su=True)))
        for name in reversed(plan.modules):
            if name in manager.installed():
                manager.uninstall(name, cascade=True, purge=True, backup_dir=engine_dir(engine))
        assert set(manager.installed()) == {"kernel", "base"}
        assert schema_snapshot(engine) == start
    finally:
        engine.dispose()


def engine_dir(engine):
    """Where purge backups go: beside a SQLite file, or the working directory's tmp for PostgreSQL."""
    import tempfile
    from pathlib import Path

    return Path(engine.url.database).parent if engine.dialect.name == "sqlite" else Path(tempfile.gettempdir())


def test_the_sets_cover_every_module_alone_and_together():
    sets = module_sets()
    assert all((m,) in sets for m in OPTIONAL)
    assert tuple(OPTIONAL) in sets
