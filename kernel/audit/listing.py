"""Reading the audit log through the environment (the user needs read access to ``loom.audit_log``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

from loom.kernel.audit.chain import utc_text

if TYPE_CHECKING:
    from loom.kernel.environment import Environment

FIELDS = ("seq", "at", "action", "actor_id", "actor_login", "company_id", "model", "record_id",
          "before", "after", "details", "hash")


def list_records(env: Environment, *, actions: list[str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The newest ``limit`` records, newest first, as dictionaries; ``actions`` filters by action
    name, where ``module.*`` matches every action starting with ``module.``."""
    records = env["loom.audit_log"]
    cls = env.registry["loom.audit_log"]
    stmt = records.select(order="seq desc").limit(limit)
    if actions:
        stmt = stmt.where(or_(*(cls.action.startswith(a[:-1], autoescape=True) if a.endswith("*")
                                else cls.action == a for a in actions)))
    rows = records.read(list(env.session.scalars(stmt)), FIELDS)
    for row in rows:
        row["at"] = utc_text(row["at"])
    return rows
