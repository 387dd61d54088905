"""Forget the timeline and approval rows of records that are gone.

``Records.delete`` calls :func:`forget_records` for the records it deletes; the uninstall purge
calls :func:`forget_models` for the models of the module that leaves (these rows name their
record by model and id, so no foreign key removes them). Decisions go with their requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

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
