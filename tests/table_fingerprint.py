"""A digest of every table's rows, to show that a request changed nothing (W4: no state change from a GET)."""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, text

#: Tables a refused request may still write: the security audit log records refusals and logins.
AUDIT = ("loom_audit_log", "loom_audit_head")


def fingerprint(engine, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """SHA-256 of the rows of every table but ``skip``, read in the order of the first column."""
    found = {}
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name in skip:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')).all()  # noqa: S608 - names from the schema
            found[name] = hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode()).hexdigest()
    return found


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Tables whose rows differ between two fingerprints (or that appeared or went)."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
