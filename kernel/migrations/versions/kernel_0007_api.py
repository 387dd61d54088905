"""kernel api tables

Revision ID: kernel_0007
Revises: kernel_0006
Create Date: 2026-12-05 20:20:00
"""
from alembic import op
import sqlalchemy as sa
import loom.kernel.money


revision = 'kernel_0007'
down_revision = 'kernel_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('loom_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['loom_user.id'], name=op.f('fk_loom_api_token_user_id_loom_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_api_token')),
    info={'module': 'kernel', 'model': 'loom.api_token'}
    )
    with op.batch_alter_table('loom_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_api_token_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_loom_api_token_token_hash', ['token_hash'], unique=True)

    op.create_table('loom_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['loom_user.id'], name=op.f('fk_loom_idempotency_key_user_id_loom_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_idempotency_key')),
    info={'module': 'kernel', 'model': 'loom.idempotency_key'}
    )
    with op.batch_alter_table('loom_idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_idempotency_key_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_loom_idempotency_key_created_at', ['created_at'], unique=False)
        batch_op.create_index('uq_loom_idempotency_key_user_id_key', ['user_id', 'key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('loom_idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_idempotency_key_user_id_key')
        batch_op.drop_index('ix_loom_idempotency_key_created_at')
        batch_op.drop_index(batch_op.f('ix_loom_idempotency_key_user_id'))

    op.drop_table('loom_idempotency_key')
    with op.batch_alter_table('loom_api_token', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_api_token_token_hash')
        batch_op.drop_index(batch_op.f('ix_loom_api_token_user_id'))

    op.drop_table('loom_api_token')
