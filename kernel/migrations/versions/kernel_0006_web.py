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
    op.create_table('loom_web_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('generation', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_web_login')),
    info={'module': 'kernel', 'model': 'loom.web_login'}
    )
    with op.batch_alter_table('loom_web_login', schema=None) as batch_op:
        batch_op.create_index('uq_loom_web_login_login', ['login'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('loom_web_login', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_web_login_login')

    op.drop_table('loom_web_login')
