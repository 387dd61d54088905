"""kernel attachment tables

Revision ID: kernel_0005
Revises: kernel_0004
Create Date: 2026-12-05 19:10:00
"""
from alembic import op
import sqlalchemy as sa
import loom.kernel.money


revision = 'kernel_0005'
down_revision = 'kernel_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
