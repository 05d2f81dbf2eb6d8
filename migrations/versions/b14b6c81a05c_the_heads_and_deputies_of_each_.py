"""the heads and deputies of each organization per year, with their decided tier

organization_head: per organization and year, each head or deputy by name and position only,
and the tier the Standing Committee decided for them (Nghị quyết III.7 ties it to the
organization's).

Revision ID: b14b6c81a05c
Revises: 8b565b61b76d
Create Date: 2026-12-06 12:43:53.411513

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b14b6c81a05c'
down_revision = '8b565b61b76d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.String(length=120), nullable=False),
    sa.Column('decided_tier', sa.String(length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decided_tier IS NULL OR decided_tier IN ('xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh')", name=op.f('ck_organization_head_decided_tier')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_organization_head_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_head_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_head'))
    )
    with op.batch_alter_table('organization_head', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_head_organization_id_year'), ['organization_id', 'year'], unique=False)



def downgrade():
    with op.batch_alter_table('organization_head', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_head_organization_id_year'))

    op.drop_table('organization_head')
