"""Forget the timeline and approval rows of records that are gone.

These rows name their record by model and id, so no foreign key removes them: the kernel's
``on_records_deleted`` implementation forgets those of deleted records, and its
``on_module_uninstalling`` one those of the models of a module that leaves (approval rules
included). Decisions go with their requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from loom.kernel.hooks import hookimpl

if TYPE_CHECKING:
    from loom.kernel.environment import Environment


def forget_records(env: Environment, model: str, ids: Iterable[int]) -> None:
    """Delete the timeline events, approval requests and decisions of records ``ids`` of ``model``."""
    ids = list(ids)
    if ids:
        _forget(env, lambda cls: (cls.model == model) & cls.res_id.in_(ids))


def forget_models(env: Environment, models: Iterable[str]) -> None:
    """Delete every timeline event, approval request, decision and approval rule of ``models``."""
    models = list(models)
    if not models:
        return
    _forget(env, lambda cls: cls.model.in_(models))
    rule = env.registry["loom.approval_rule"]
    env.session.execute(delete(rule).where(rule.model.in_(models)))


def _forget(env: Environment, where) -> None:
    request, decision = env.registry["loom.approval_request"], env.registry["loom.approval_decision"]
    event = env.registry["loom.record_event"]
    env.session.execute(delete(decision).where(decision.request_id.in_(select(request.id).where(where(request)))))
    env.session.execute(delete(request).where(where(request)))
    env.session.execute(delete(event).where(where(event)))


@hookimpl
def on_records_deleted(env: Environment, model: str, ids: list[int]) -> None:
    """Deleted records take their timeline and approval rows with them."""
    forget_records(env, model, ids)


@hookimpl
def on_module_uninstalling(env: Environment, module: str) -> None:
    """A leaving module's models take their timeline, approval rows and rules with them."""
    forget_models(env, env.registry.model_names_of(module))
