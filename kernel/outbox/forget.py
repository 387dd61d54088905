"""A module that leaves takes its outbox rows with it: events about its records and its consumers' receipts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from loom.kernel.hooks import hookimpl


def forget_module_events(env: Any, module: str) -> None:
    """Delete the events about records of ``module``'s models and the receipts of its consumers
    (named ``<module>.<purpose>``), in the caller's transaction."""
    events = env.registry["loom.outbox_event"].__table__
    receipts = env.registry["loom.processed_event"].__table__
    models = env.registry.model_names_of(module)
    if models:
        env.session.execute(delete(events).where(events.c.aggregate_model.in_(models)))
    env.session.execute(delete(receipts).where(receipts.c.consumer.startswith(module + ".", autoescape=True)))


@hookimpl
def on_module_uninstalling(env: Any, module: str) -> None:
    """Before a module's tables go, its outbox rows go too (see :func:`forget_module_events`)."""
    forget_module_events(env, module)
