"""Rows that name a record by model and id leave with the record.

Stories: a draft order with a note, an approval waiting and a signed scan attached is deleted:
its timeline, approval requests and attachment rows go with it, while the scan's file stays in
the filestore until garbage collection (a backup taken before may still need it). Later the shop
uninstalls the orders module, purging its orders: every timeline row, approval rule and
attachment about its models goes too.
"""

from __future__ import annotations

from sqlalchemy import func, select

from loom.kernel.attachments import attach, collect_garbage, filestore
from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.installer import ModuleManager
from loom.kernel.timeline import add_note
from loom.kernel.workflow import add_rule
from loom_test_support import ROOTS, rolled_back
from loomtest_alpha.testing import alpha_database, draft_orders

KERNEL_ROWS = ("loom.record_event", "loom.approval_request", "loom.approval_rule", "loom.attachment")


def rows_about(env, model: str) -> dict[str, int]:
    """How many kernel rows of each kind name records of ``model``."""
    return {name: env.session.scalar(select(func.count()).select_from(cls := env.registry[name])
                                     .where(cls.model == model)) for name in KERNEL_ROWS}


def order_with_history(env):
    add_rule(env, {"model": "alpha.order", "transition": "confirm", "role": "loomtest_alpha.manager",
                   "amount_field": "amount_total", "threshold": "100"})
    (order,) = draft_orders(env, 1, price="500")
    add_note(env, "alpha.order", [order.id], "Customer asked for delivery before the 15th")
    env["alpha.order"].transition("confirm", [order])  # waits for a manager
    attach(env, "alpha.order", order.id, "signed-order.pdf", b"%PDF-1.4 signed by the customer")
    return order


def test_a_deleted_order_takes_its_timeline_approvals_and_attachments_but_not_yet_its_file(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        order = order_with_history(env)  # timeline: the note, the approval requested
        assert rows_about(env, "alpha.order") == {"loom.record_event": 2, "loom.approval_request": 1,
                                                  "loom.approval_rule": 1, "loom.attachment": 1}
        env["alpha.order"].write([order], {"name": "TO DELETE"})  # an edit returns it to draft
        env["alpha.order"].delete([order])
        assert rows_about(env, "alpha.order") == {"loom.record_event": 0, "loom.approval_request": 0,
                                                  "loom.approval_rule": 1, "loom.attachment": 0}
        assert len(list(filestore(env).stored())) >= 1  # the file waits for garbage collection
        assert collect_garbage(env, min_age=0).files >= 1


def test_uninstalling_with_purge_forgets_every_kernel_row_about_the_module_models(database_url):
    alpha_database(database_url, {})
    from loom.kernel.db import create_engine

    engine = create_engine(database_url)
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        registry = manager.registry({"loomtest_alpha"})
        run_unit_of_work(engine, lambda session: order_with_history(Environment(registry, session, su=True)))
        manager.uninstall("loomtest_alpha", purge=True)
        remaining = manager.registry(manager.installed())
        counts = run_unit_of_work(engine, lambda s: rows_about(Environment(remaining, s, su=True), "alpha.order"),
                                  write=False)
        assert counts == dict.fromkeys(KERNEL_ROWS, 0)
    finally:
        engine.dispose()
