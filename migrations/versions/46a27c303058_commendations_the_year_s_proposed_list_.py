"""commendations: the year's proposed list; the organization that leads it

commendation: per year, each organization (or head, by name) proposed for commendation, its
ground and the proposers' words, confirmed as a whole list. organization.leads_commendations:
the organization whose officers draw up the list (the resolution names the Youth Union's
executive committee), set on the organizations page.

Revision ID: 46a27c303058
Revises: b14b6c81a05c
Create Date: 2026-12-06 12:48:09.046236

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '46a27c303058'
down_revision = 'b14b6c81a05c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=120), nullable=False),
    sa.Column('ground', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("ground IN ('excellent', 'good_and_rising', 'head_excellent', 'other')", name=op.f('ck_commendation_ground')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_commendation_added_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_commendation_confirmed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_commendation_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendation'))
    )
    with op.batch_alter_table('commendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendation_year'), ['year'], unique=False)

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leads_commendations', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('leads_commendations')

    with op.batch_alter_table('commendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commendation_year'))

    op.drop_table('commendation')
