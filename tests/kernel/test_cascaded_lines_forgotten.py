"""Deleting an order deletes its lines by cascade, and their timeline rows, approval rows and
attachments go with them, as a line deleted on its own takes its own."""

from __future__ import annotations

from sqlalchemy import func, select

from loom.kernel.cascade import cascaded_ids
from loom.kernel.timeline import add_note
from loom_test_support import rolled_back
from loomtest_alpha.testing import draft_orders


def _events(env, model, ids):
    event = env.registry["loom.record_event"]
    return env.session.scalar(select(func.count()).select_from(event).where(event.model == model,
                                                                            event.res_id.in_(ids)))


def test_an_orders_lines_take_their_notes_with_them(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        kept, gone = draft_orders(env, 2)
        env["alpha.order.line"].create([{"order_id": gone.id, "quantity": "2", "price": "1"}])
        gone_lines = [line.id for line in gone.lines]
        kept_lines = [line.id for line in kept.lines]
        add_note(env, "alpha.order.line", gone_lines + kept_lines, "Checked by the warehouse")
        assert len(gone_lines) == 2 and _events(env, "alpha.order.line", gone_lines) == 2

        env["alpha.order"].delete([gone])

        assert env["alpha.order.line"].search([["id", "in", gone_lines]]) == []
        assert _events(env, "alpha.order.line", gone_lines) == 0
        assert _events(env, "alpha.order.line", kept_lines) == 1  # another order's line keeps its note


def test_the_cascade_is_found_in_one_select_per_link(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        orders = draft_orders(env, 3)
        found = cascaded_ids(env, "alpha.order", [o.id for o in orders])
        assert sorted(found) == ["alpha.order.line"]
        assert sorted(found["alpha.order.line"]) == sorted(line.id for o in orders for line in o.lines)
        assert cascaded_ids(env, "alpha.order.line", found["alpha.order.line"]) == {}
