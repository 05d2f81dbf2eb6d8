"""annual figures: officers and members disciplined in the year

Quy định 366-QĐ/TW's top tier needs no officer or member disciplined: the annual figures gain
the count (empty: not entered, which the rating reports as no evidence).

Revision ID: e0f670307dc7
Revises: 936500b8bb18
Create Date: 2026-12-06 12:28:19.494970

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e0f670307dc7'
down_revision = '936500b8bb18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('annual_indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('members_disciplined', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_annual_indicator_members_disciplined_non_negative'),
            'members_disciplined IS NULL OR members_disciplined >= 0',
        )


def downgrade():
    with op.batch_alter_table('annual_indicator', schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f('ck_annual_indicator_members_disciplined_non_negative'), type_='check'
        )
        batch_op.drop_column('members_disciplined')
