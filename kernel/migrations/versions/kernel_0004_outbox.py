"""kernel outbox tables

Revision ID: kernel_0004
Revises: kernel_0003
Create Date: 2026-12-05 19:10:00
"""
from alembic import op
import sqlalchemy as sa
import loom.kernel.money


revision = 'kernel_0004'
down_revision = 'kernel_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
