"""kernel workflow tables: record timeline, approval rules, requests and decisions

Revision ID: kernel_0002
Revises: kernel_0001
Create Date: 2026-12-05 19:10:00
"""
from alembic import op
import sqlalchemy as sa
import loom.kernel.money


revision = 'kernel_0002'
down_revision = 'kernel_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('loom_approval_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('transition', sa.String(length=64), nullable=False),
    sa.Column('domain', sa.JSON(), nullable=False),
    sa.Column('amount_field', sa.String(length=64), nullable=True),
    sa.Column('threshold', loom.kernel.money.Money(precision=18, scale=4), nullable=True),
    sa.Column('approvers', sa.Integer(), server_default='1', nullable=False),
    sa.Column('sequence', sa.Integer(), server_default='10', nullable=False),
    sa.CheckConstraint('approvers >= 1', name=op.f('ck_loom_approval_rule_approvers_positive')),
    sa.ForeignKeyConstraint(['company_id'], ['loom_company.id'], name=op.f('fk_loom_approval_rule_company_id_loom_company'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['role_id'], ['loom_role.id'], name=op.f('fk_loom_approval_rule_role_id_loom_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_approval_rule')),
    info={'module': 'kernel', 'model': 'loom.approval_rule'}
    )
    with op.batch_alter_table('loom_approval_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_approval_rule_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_loom_approval_rule_model_transition', ['model', 'transition'], unique=False)
        batch_op.create_index(batch_op.f('ix_loom_approval_rule_role_id'), ['role_id'], unique=False)

    op.create_table('loom_approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('res_id', sa.Integer(), nullable=False),
    sa.Column('transition', sa.String(length=64), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=False),
    sa.Column('approvers', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'cancelled')", name=op.f('ck_loom_approval_request_status_known')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['loom_user.id'], name=op.f('fk_loom_approval_request_requested_by_id_loom_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['role_id'], ['loom_role.id'], name=op.f('fk_loom_approval_request_role_id_loom_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['loom_approval_rule.id'], name=op.f('fk_loom_approval_request_rule_id_loom_approval_rule'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_approval_request')),
    info={'module': 'kernel', 'model': 'loom.approval_request'}
    )
    with op.batch_alter_table('loom_approval_request', schema=None) as batch_op:
        batch_op.create_index('ix_loom_approval_request_model_res_id_status', ['model', 'res_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_loom_approval_request_role_id'), ['role_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loom_approval_request_rule_id'), ['rule_id'], unique=False)

    op.create_table('loom_record_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('res_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transition', sa.String(length=64), nullable=True),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('done', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('transition', 'change', 'note', 'activity', 'approval')", name=op.f('ck_loom_record_event_kind_known')),
    sa.ForeignKeyConstraint(['assignee_id'], ['loom_user.id'], name=op.f('fk_loom_record_event_assignee_id_loom_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['loom_user.id'], name=op.f('fk_loom_record_event_user_id_loom_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_record_event')),
    info={'module': 'kernel', 'model': 'loom.record_event'}
    )
    with op.batch_alter_table('loom_record_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_record_event_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_loom_record_event_model_res_id_id', ['model', 'res_id', 'id'], unique=False)

    op.create_table('loom_approval_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('approve', 'reject')", name=op.f('ck_loom_approval_decision_decision_known')),
    sa.ForeignKeyConstraint(['request_id'], ['loom_approval_request.id'], name=op.f('fk_loom_approval_decision_request_id_loom_approval_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['loom_user.id'], name=op.f('fk_loom_approval_decision_user_id_loom_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loom_approval_decision')),
    info={'module': 'kernel', 'model': 'loom.approval_decision'}
    )
    with op.batch_alter_table('loom_approval_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loom_approval_decision_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_loom_approval_decision_request_id_user_id', ['request_id', 'user_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('loom_approval_decision', schema=None) as batch_op:
        batch_op.drop_index('uq_loom_approval_decision_request_id_user_id')
        batch_op.drop_index(batch_op.f('ix_loom_approval_decision_user_id'))

    op.drop_table('loom_approval_decision')
    with op.batch_alter_table('loom_record_event', schema=None) as batch_op:
        batch_op.drop_index('ix_loom_record_event_model_res_id_id')
        batch_op.drop_index(batch_op.f('ix_loom_record_event_assignee_id'))

    op.drop_table('loom_record_event')
    with op.batch_alter_table('loom_approval_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loom_approval_request_rule_id'))
        batch_op.drop_index(batch_op.f('ix_loom_approval_request_role_id'))
        batch_op.drop_index('ix_loom_approval_request_model_res_id_status')

    op.drop_table('loom_approval_request')
    with op.batch_alter_table('loom_approval_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loom_approval_rule_role_id'))
        batch_op.drop_index('ix_loom_approval_rule_model_transition')
        batch_op.drop_index(batch_op.f('ix_loom_approval_rule_company_id'))

    op.drop_table('loom_approval_rule')
