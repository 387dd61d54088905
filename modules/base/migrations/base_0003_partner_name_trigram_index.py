"""partner name trigram index (PostgreSQL only)

A GIN index of pg_trgm trigrams over the partner name as ``ilike`` compares it (ASCII letters
lowered), so a "name contains" search over 100,000 partners reads the index instead of every row.
SQLite has no such index: there the search scans the table. When the server does not offer the
pg_trgm extension the index is not made and the search scans, as on SQLite.

Revision ID: base_0003
Revises: base_0002
Create Date: 2026-12-05 21:20:00
"""
import string

from alembic import op

revision = 'base_0003'
down_revision = 'base_0002'
branch_labels = None
depends_on = None

INDEX = "ix_base_partner_name_trgm"
#: The expression the domain compiler's ``ilike`` produces on PostgreSQL (loom.kernel.domain.dialect).
FOLDED_NAME = f"translate(name, '{string.ascii_uppercase}', '{string.ascii_lowercase}')"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    offered = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    if offered is None:
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON base_partner USING gin ({FOLDED_NAME} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
