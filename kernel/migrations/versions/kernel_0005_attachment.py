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
    op.create_table('loom_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('res_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('active_content', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['loom_company.id'], name=op.f('fk_loom_attachment_company_id_loom_company'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['loom_user.id'], name=op.f('fk_loom_attachment_created_by_id_loom_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_attachment')),
    info={'module': 'kernel', 'model': 'loom.attachment'}
    )
    with op.batch_alter_table('loom_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_attachment_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loom_attachment_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_loom_attachment_model_res_id', ['model', 'res_id'], unique=False)
        batch_op.create_index('ix_loom_attachment_sha256', ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('loom_attachment', schema=None) as batch_op:
        batch_op.drop_index('ix_loom_attachment_sha256')
        batch_op.drop_index('ix_loom_attachment_model_res_id')
        batch_op.drop_index(batch_op.f('ix_loom_attachment_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_loom_attachment_company_id'))

    op.drop_table('loom_attachment')
