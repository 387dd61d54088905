"""Kernel models of the security audit log (insert-only, hash-chained).

``loom.audit_log`` holds one row per security event; ``loom.audit_head`` is a one-row table
holding the chain's last position and hash. A writer locks the head row (``FOR UPDATE`` on
PostgreSQL; SQLite writers are serialized by ``BEGIN IMMEDIATE``) until it commits, so the chain
grows in commit order and never forks (see :mod:`loom.kernel.audit.chain`).

The log has no foreign keys on purpose: an actor, a company or a record may disappear (a purge,
an uninstall) and the history stays. The database itself refuses UPDATE and DELETE on it (and
TRUNCATE on PostgreSQL).
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loom.kernel.model import Index, Model, Unique
from loom.kernel.schema_objects import Trigger

AUDIT_TABLE = "loom_audit_log"


class AuditLog(Model):
    """One security event: who (actor), when (UTC), in which company, on which object, what changed.

    ``seq`` is the position in the chain, ``prev_hash`` the previous row's hash and ``hash`` the
    SHA-256 of this row's canonical content and ``prev_hash``. Rows are never updated or deleted."""

    __model__ = "loom.audit_log"
    __managed__ = True
    __rec_name__ = "action"
    __order__ = "seq desc"
    __indexes__ = (Unique("seq"), Index("action"), Index("at"))

    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_login: Mapped[str | None] = mapped_column(String(100))
    company_id: Mapped[int | None] = mapped_column(Integer)
    model: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[object | None] = mapped_column(JSON)
    after: Mapped[object | None] = mapped_column(JSON)
    details: Mapped[object | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Model):
    """The head of the audit chain: one row holding the last ``seq`` and ``hash``, locked by writers."""

    __model__ = "loom.audit_head"
    __managed__ = True
    __rec_name__ = "seq"

    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


def _refuse(operation: str, also_postgresql: str = "") -> Trigger:
    """The trigger refusing ``operation`` (UPDATE or DELETE) on the audit log, on both backends;
    ``also_postgresql`` adds statements on PostgreSQL."""
    name = f"loom_audit_log_no_{operation.lower()}"
    function = "loom_audit_log_insert_only"
    return Trigger(
        name=name,
        table=AUDIT_TABLE,
        sqlite=(f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{AUDIT_TABLE}" '
                f"BEGIN SELECT RAISE(ABORT, 'loom_audit_log is insert-only'); END"),
        postgresql=(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    f"BEGIN RAISE EXCEPTION 'loom_audit_log is insert-only' USING ERRCODE = '42501'; END $$;;"
                    f'CREATE TRIGGER "{name}" BEFORE {operation} ON "{AUDIT_TABLE}" '
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()" + also_postgresql),
    )


# PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it too. It rides with the
# DELETE trigger (SQLite has no TRUNCATE) and is created with OR REPLACE, as it is never dropped alone.
_NO_TRUNCATE = (';;CREATE OR REPLACE TRIGGER "loom_audit_log_no_truncate" BEFORE TRUNCATE ON '
                f'"{AUDIT_TABLE}" FOR EACH STATEMENT EXECUTE FUNCTION loom_audit_log_insert_only()')


#: The models this file declares, registered by :mod:`loom.kernel.models`.
MODELS: tuple[type, ...] = (AuditLog, AuditHead)
#: Triggers and views on these models' tables (re-created after every migration).
TRIGGERS: tuple[object, ...] = (_refuse("UPDATE"), _refuse("DELETE", _NO_TRUNCATE))
