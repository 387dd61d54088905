"""kernel audit tables

Revision ID: kernel_0003
Revises: kernel_0002
Create Date: 2026-12-05 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'kernel_0003'
down_revision = 'kernel_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('loom_audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_audit_head')),
    info={'module': 'kernel', 'model': 'loom.audit_head'}
    )
    head = sa.table('loom_audit_head', sa.column('seq'), sa.column('hash'))
    op.bulk_insert(head, [{'seq': 0, 'hash': '0' * 64}])  # id 1 from the id sequence

    op.create_table('loom_audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_login', sa.String(length=100), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_audit_log')),
    info={'module': 'kernel', 'model': 'loom.audit_log'}
    )
    with op.batch_alter_table('loom_audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_loom_audit_log_action', ['action'], unique=False)
        batch_op.create_index('ix_loom_audit_log_at', ['at'], unique=False)
        batch_op.create_index('uq_loom_audit_log_seq', ['seq'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('loom_audit_log', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_audit_log_seq')
        batch_op.drop_index('ix_loom_audit_log_at')
        batch_op.drop_index('ix_loom_audit_log_action')

    op.drop_table('loom_audit_log')
    op.drop_table('loom_audit_head')
