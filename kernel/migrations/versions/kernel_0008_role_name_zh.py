"""kernel roles named in Chinese

Revision ID: kernel_0008
Revises: kernel_0007
Create Date: 2026-12-05 21:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'kernel_0008'
down_revision = 'kernel_0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('loom_role', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('loom_role', schema=None) as batch_op:
        batch_op.drop_column('name_zh')
