"""Lines created and deleted through their parent (an order saved with its lines, as the API and the
web form do) meet the line model's own permission, record rules and delete hook, exactly as when
``env["alpha.order.line"]`` creates or deletes them; and changing only the lines moves the parent's
version on, so a stale edit of the same document is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from loom.kernel.errors import AccessError, StaleRecordError
from loom.kernel.timeline import add_note
from loom_test_support import rolled_back
from loomtest_alpha.testing import acting_as, draft_orders


def _notes(env, line_id):
    record_event = env.registry["loom.record_event"]
    return env.session.scalar(select(func.count()).select_from(record_event).where(
        record_event.model == "alpha.order.line", record_event.res_id == line_id))


def _small_lines_only(env):
    """A create rule of the alpha clerks: no line of 100 or more."""
    su = env.sudo()
    role = su["loom.role"].search([["code", "=", "loomtest_alpha.clerk"]])[0]
    su["loom.rule"].create({"name": "small lines", "model": "alpha.order.line", "role_id": role.id,
                            "domain": [["quantity", "<", "100"]], "perm_read": False, "perm_write": False,
                            "perm_create": True, "perm_delete": False})


def test_a_clerk_who_may_not_delete_lines_cannot_delete_one_through_the_order(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        (order,) = draft_orders(env, 1)
        line_id = order.lines[0].id
        clerk = acting_as(env, "carl", "loomtest_alpha.clerk")

        with pytest.raises(AccessError) as refused:
            clerk["alpha.order"].write([clerk["alpha.order"].get(order.id)], {"lines": {"delete": [line_id]}})

        assert refused.value.message_id == "kernel.access_denied"
        assert refused.value.params["model"] == "alpha.order.line"
        assert [line.id for line in env["alpha.order"].get(order.id).lines] == [line_id]


def test_a_line_deleted_through_its_order_takes_its_notes_with_it(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        (order,) = draft_orders(env, 1)
        env["alpha.order"].write([order], {"lines": {"create": [{"quantity": "2", "price": "3"}]}})
        gone, kept = (line.id for line in order.lines)
        add_note(env, "alpha.order.line", [gone, kept], "Checked by the warehouse")

        env["alpha.order"].write([order], {"lines": {"delete": [gone]}})

        assert env["alpha.order.line"].search([["id", "=", gone]]) == []
        assert _notes(env, gone) == 0 and _notes(env, kept) == 1


def test_a_line_the_clerks_create_rule_refuses_is_refused_through_the_order_too(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        (order,) = draft_orders(env, 1)
        partner = order.partner_id
        _small_lines_only(env)
        clerk = acting_as(env, "carl", "loomtest_alpha.clerk")
        orders = clerk["alpha.order"]

        with pytest.raises(AccessError) as on_write:
            orders.write([orders.get(order.id)], {"lines": {"create": [{"quantity": "500", "price": "1"}]}})
        with pytest.raises(AccessError) as on_create:
            orders.create({"partner_id": partner, "lines": [{"quantity": "500", "price": "1"}]})

        assert on_write.value.message_id == on_create.value.message_id == "kernel.record_rule_denied"
        assert on_write.value.params["model"] == on_create.value.params["model"] == "alpha.order.line"
        assert len(orders.create({"partner_id": partner, "lines": [{"quantity": "5", "price": "1"}]}).lines) == 1


def test_changing_only_lines_moves_the_orders_version_on(installed):
    with rolled_back(installed("loomtest_alpha")) as env:
        (order,) = draft_orders(env, 1)
        read = order.version
        updates = []

        def seen(conn, cursor, statement, parameters, context, executemany):
            updates.extend([statement] if statement.startswith("UPDATE alpha_order ") else [])

        event.listen(env.session.get_bind(), "before_cursor_execute", seen)
        try:  # a line of nothing: the order's total (its only column that follows lines) stays
            env["alpha.order"].write([order], {"lines": {"create": [{"quantity": "0", "price": "9"}]}},
                                     expected_version=read)
        finally:
            event.remove(env.session.get_bind(), "before_cursor_execute", seen)

        assert len(updates) == 1 and order.version == read + 1
        with pytest.raises(StaleRecordError):  # a second edit made from the same reading is stale
            env["alpha.order"].write([order], {"lines": {"create": [{"quantity": "0", "price": "9"}]}},
                                     expected_version=read)
        assert len(order.lines) == 2
