"""What a Loom application holds: the engine, the registry of the installed modules, and how a
request runs its work in one unit of work as its user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import Engine

from loom.kernel.db import run_unit_of_work
from loom.kernel.environment import Environment
from loom.kernel.registry import Registry
from loom.kernel.web.deadline import request_deadline

T = TypeVar("T")
EXTENSION = "loom"


@dataclass
class LoomState:
    """The database and registry an application serves."""

    engine: Engine
    registry: Registry

    def run(self, uid: int | None, work: Callable[[Environment], T], *, write: bool = True) -> T:
        """Run ``work(env)`` in one unit of work as user ``uid`` (the superuser when ``uid`` is None),
        held to the request's deadline (:mod:`.deadline`) when there is a request."""
        def unit(session: Any) -> T:
            env = Environment(self.registry, session, uid=uid) if uid is not None else \
                Environment(self.registry, session, su=True)
            return work(env)

        return run_unit_of_work(self.engine, unit, write=write, deadline=request_deadline())


def loom_state(app: Flask | None = None) -> LoomState:
    """The :class:`LoomState` of ``app`` (default: the application handling the request)."""
    return (app or current_app).extensions[EXTENSION]
