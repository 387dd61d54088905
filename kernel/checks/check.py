"""The two objects of the checks API: a check, and a violation it reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One broken invariant: the check's name, a message, and the records involved as (model, id).

    A record of a table without a model (a many-to-many relation table) is named by its table
    and ``None``; the message then gives its values."""

    check: str
    message: str
    records: list[tuple[str, int | None]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The violation as JSON-ready data (``loom check --json``)."""
        return {"check": self.check, "message": self.message,
                "records": [{"model": model, "id": record_id} for model, record_id in self.records]}


@dataclass(frozen=True)
class Check:
    """An invariant: ``run(env)`` yields a :class:`Violation` for every place it does not hold.

    ``name`` is dotted (``kernel.orphans``, ``sales.order_totals``); ``run`` reads through
    ``env`` (a superuser environment) and must not write."""

    name: str
    description: str
    run: Callable[[Any], Iterable[Violation]]
