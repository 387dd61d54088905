"""A database error that code catches and ignores never reaches a commit.

Stories: a module's reaction to confirmed orders looks a customer up in a table that is not there,
catches the error and carries on as if nothing happened. On PostgreSQL the transaction is already
aborted; on SQLite the lookup's effect is silently missing. Either way the confirmation must not be
committed half-done: the kernel fails it, naming the module and the hook. A module that recovers
the proper way, by rolling back to a savepoint, is left alone.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.errors import UserError
from loom.kernel.hooks import hookimpl
from loomtest_alpha.order import confirm


def _look_up_missing_table(env) -> None:
    env.session.execute(text("SELECT credit FROM no_such_credit_table"))


class Swallowing:
    """Catches the database error and returns normally."""

    @hookimpl
    def on_alpha_confirmed(self, env, orders):
        """Look up credit in a missing table and ignore the failure."""
        with contextlib.suppress(DBAPIError):
            _look_up_missing_table(env)


class RecoveringThroughASavepoint:
    """Rolls back to a savepoint: the legitimate way to survive an expected error."""

    @hookimpl
    def on_alpha_confirmed(self, env, orders):
        """Try the lookup inside a savepoint and go on without it."""
        try:
            with env.session.begin_nested():
                _look_up_missing_table(env)
        except DBAPIError:
            pass


@pytest.fixture
def alpha(installed):
    return installed("loomtest_alpha")


@pytest.fixture
def draft_order_id(alpha) -> int:
    def unit(session):
        env = Environment(alpha.registry, session, su=True)
        partner = env["base.partner"].create({"name": "Swallow Test Co."})
        return env["alpha.order"].create({"partner_id": partner.id,
                                          "lines": [{"quantity": "1", "price": "9.90"}]}).id

    return run_unit_of_work(alpha.engine, unit)


def _confirm(alpha, order_id):
    def unit(session):
        env = Environment(alpha.registry, session, su=True)
        confirm(env, env["alpha.order"].browse([order_id]))

    return run_unit_of_work(alpha.engine, unit)


def _state(alpha, order_id) -> str:
    def unit(session):
        return Environment(alpha.registry, session, su=True)["alpha.order"].get(order_id).state

    return run_unit_of_work(alpha.engine, unit, write=False)


def _with_plugin(alpha, plugin, name):
    alpha.registry.pm.register(plugin, name=name)
    return name


def test_a_hook_that_swallows_a_database_error_fails_the_confirmation_naming_module_and_hook(
        alpha, draft_order_id):
    name = _with_plugin(alpha, Swallowing(), "loomtest_alpha:swallowing")
    try:
        with pytest.raises(UserError) as caught:
            _confirm(alpha, draft_order_id)
    finally:
        alpha.registry.pm.unregister(name=name)
    assert caught.value.message_id == "kernel.hook_swallowed_database_error"
    assert caught.value.loom_hook == ("on_alpha_confirmed", "loomtest_alpha")
    assert "no_such_credit_table" in str(caught.value)
    assert _state(alpha, draft_order_id) == "draft"


def test_a_hook_that_recovers_through_a_savepoint_confirms_normally(alpha, draft_order_id):
    name = _with_plugin(alpha, RecoveringThroughASavepoint(), "loomtest_alpha:recovering")
    try:
        _confirm(alpha, draft_order_id)
    finally:
        alpha.registry.pm.unregister(name=name)
    assert _state(alpha, draft_order_id) == "confirmed"


def test_a_unit_of_work_that_swallows_a_database_error_is_not_committed(alpha, draft_order_id):
    def unit(session):
        env = Environment(alpha.registry, session, su=True)
        order = env["alpha.order"].get(draft_order_id)
        env["alpha.order"].write([order], {"name": "SWALLOWED"})
        with contextlib.suppress(DBAPIError):
            _look_up_missing_table(env)

    with pytest.raises(UserError) as caught:
        run_unit_of_work(alpha.engine, unit)
    assert caught.value.message_id == "kernel.database_error_swallowed"
    assert "_look_up_missing_table" in caught.value.params["where"]  # the statement that failed

    def name(session):
        return Environment(alpha.registry, session, su=True)["alpha.order"].get(draft_order_id).name

    assert run_unit_of_work(alpha.engine, name, write=False) != "SWALLOWED"
