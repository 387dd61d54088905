"""Builders for tests that need alpha orders and people: a partner, draft orders, users with roles."""

from __future__ import annotations

from decimal import Decimal

from loom.kernel.users import create_user


def draft_orders(env, count: int, *, price: str | Decimal = "10", partner_name: str = "Alpha Buyer Co.") -> list:
    """``count`` draft orders of one new partner, created as the superuser, each with one line of
    quantity 1 at ``price``."""
    su = env.sudo()
    partner = su["base.partner"].create({"name": partner_name})
    return su["alpha.order"].create([{"partner_id": partner.id, "lines": [{"quantity": "1", "price": str(price)}]}
                                     for _ in range(count)])


def person(env, login: str, *roles: str):
    """A user ``login`` holding ``roles`` (role codes), created as the superuser."""
    return create_user(env.sudo(), login, login.title(), "a-long-test-password", roles=roles)


def acting_as(env, login: str, *roles: str):
    """An environment on ``env``'s session acting as a new user ``login`` holding ``roles``."""
    from loom.kernel.environment import Environment

    return Environment(env.registry, env.session, uid=person(env, login, *roles).id)


def alpha_database(url: str, people: dict[str, tuple[str, ...]]) -> None:
    """Install alpha on the database at ``url`` and create ``people`` (login -> role codes)."""
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom_test_support import ROOTS

    engine = create_engine(url)
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        manager.install(["loomtest_alpha"])
        registry = manager.registry(manager.installed())

        def create(session):
            env = Environment(registry, session, su=True)
            for login, roles in people.items():
                person(env, login, *roles)

        run_unit_of_work(engine, create)
    finally:
        engine.dispose()


def orders_in(url: str, count: int, *, price: str = "10") -> list[int]:
    """Ids of ``count`` new draft orders in the alpha database at ``url``."""
    from loom.kernel.db import create_engine, run_unit_of_work
    from loom.kernel.environment import Environment
    from loom.kernel.installer import ModuleManager
    from loom_test_support import ROOTS

    engine = create_engine(url)
    try:
        manager = ModuleManager(engine, roots=ROOTS)
        registry = manager.registry(manager.installed())
        return run_unit_of_work(engine, lambda session: [
            o.id for o in draft_orders(Environment(registry, session, su=True), count, price=price)])
    finally:
        engine.dispose()
