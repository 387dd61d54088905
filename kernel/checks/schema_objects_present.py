"""Declared triggers and views are present (SQLite table rebuilds silently drop triggers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from loom.kernel import schema_objects
from loom.kernel.checks.check import Violation

NAME = "kernel.schema_objects"


def schema_objects_present(env: Any) -> Iterator[Violation]:
    """Yield one violation per declared trigger or view missing from the database."""
    for name in schema_objects.missing(env.session.connection(), env.registry.schema_objects):
        yield Violation(NAME, f"declared trigger or view {name} is missing (run `loom db upgrade`)")
