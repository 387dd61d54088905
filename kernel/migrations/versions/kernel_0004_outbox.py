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
    op.create_table('loom_processed_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('consumer', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_processed_event')),
    info={'module': 'kernel', 'model': 'loom.processed_event'}
    )
    with op.batch_alter_table('loom_processed_event', schema=None) as batch_op:
        batch_op.create_index('uq_loom_processed_event_consumer_event_id', ['consumer', 'event_id'], unique=True)

    op.create_table('loom_outbox_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('aggregate_model', sa.String(length=100), nullable=True),
    sa.Column('aggregate_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['loom_company.id'], name=op.f('fk_loom_outbox_event_company_id_loom_company'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_outbox_event')),
    info={'module': 'kernel', 'model': 'loom.outbox_event'}
    )
    with op.batch_alter_table('loom_outbox_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_outbox_event_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_loom_outbox_event_due', ['next_attempt_at'], unique=False, sqlite_where=sa.text("state IN ('pending', 'relayed')"), postgresql_where=sa.text("state IN ('pending', 'relayed')"))
        batch_op.create_index('ix_loom_outbox_event_open_aggregate', ['aggregate_model', 'aggregate_id', 'id'], unique=False, sqlite_where=sa.text("state IN ('pending', 'relayed')"), postgresql_where=sa.text("state IN ('pending', 'relayed')"))
        batch_op.create_index('ix_loom_outbox_event_state', ['state'], unique=False)
        batch_op.create_index('uq_loom_outbox_event_event_id', ['event_id'], unique=True)

    


def downgrade() -> None:
    with op.batch_alter_table('loom_outbox_event', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_outbox_event_event_id')
        batch_op.drop_index('ix_loom_outbox_event_state')
        batch_op.drop_index('ix_loom_outbox_event_open_aggregate', sqlite_where=sa.text("state IN ('pending', 'relayed')"), postgresql_where=sa.text("state IN ('pending', 'relayed')"))
        batch_op.drop_index('ix_loom_outbox_event_due', sqlite_where=sa.text("state IN ('pending', 'relayed')"), postgresql_where=sa.text("state IN ('pending', 'relayed')"))
        batch_op.drop_index(batch_op.f('ix_loom_outbox_event_company_id'))

    op.drop_table('loom_outbox_event')
    with op.batch_alter_table('loom_processed_event', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_processed_event_consumer_event_id')

    op.drop_table('loom_processed_event')
