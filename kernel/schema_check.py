"""Compare a database's schema with a registry's models (``loom db check`` and conformance tests)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from loom.kernel import schema_objects
from loom.kernel.registry import Registry

IGNORED_TABLES = {"alembic_version"}
#: The name ending of PostgreSQL-only search indexes (pg_trgm GIN indexes a module's migration makes,
#: e.g. base's ``ix_base_partner_name_trgm``): the models do not declare them, so they are no difference.
SEARCH_INDEX_SUFFIX = "_trgm"


def schema_differences(engine: Engine, registry: Registry) -> list[str]:
    """One line per difference between the database and ``registry``'s metadata and triggers."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_object": _include})
        diffs = compare_metadata(context, registry.metadata)
        missing = schema_objects.missing(conn, registry.schema_objects)
    lines = [_describe(diff) for diff in diffs]
    return lines + [f"missing trigger or view: {name}" for name in missing]


def _include(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "index" and reflected and compare_to is None and (name or "").endswith(SEARCH_INDEX_SUFFIX):
        return False
    return not (type_ == "table" and name in IGNORED_TABLES) and not (name or "").startswith("huey")


def _describe(diff) -> str:
    if isinstance(diff, list):
        return "; ".join(_describe(d) for d in diff)
    action, *rest = diff
    subject = next((getattr(item, "name", None) for item in rest if getattr(item, "name", None)), "")
    table = next((getattr(item, "table", None) for item in rest if getattr(item, "table", None) is not None),
                 None)
    where = f"{table.name}." if table is not None else ""
    return f"{action}: {where}{subject}"
