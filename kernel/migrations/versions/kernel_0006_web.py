"""kernel web tables

Revision ID: kernel_0006
Revises: kernel_0005
Create Date: 2026-12-05 20:20:00
"""
from alembic import op
import sqlalchemy as sa
import loom.kernel.money


revision = 'kernel_0006'
down_revision = 'kernel_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
