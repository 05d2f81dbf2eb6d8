"""paper typing per survey and typist, fast sheets

paper_typing: per survey and typist, the sheets typed, those typed faster than a person types,
and the current run of typing (its first and latest minute); fast_sheet: the sheets counted
from such a typing, by sheet number, which the integrity checks flag. Neither names a response
with a typist or a time.

Revision ID: 936500b8bb18
Revises: e5b2c8d41f97
Create Date: 2026-12-04 18:53:40.861769

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '936500b8bb18'
down_revision = 'e5b2c8d41f97'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('paper_typing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('typist', sa.String(length=120), nullable=False),
    sa.Column('sheets', sa.Integer(), nullable=False),
    sa.Column('fast_sheets', sa.Integer(), nullable=False),
    sa.Column('run_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_sheets', sa.Integer(), nullable=False),
    sa.CheckConstraint('fast_sheets IS NULL OR fast_sheets >= 0', name=op.f('ck_paper_typing_fast_sheets_non_negative')),
    sa.CheckConstraint('run_sheets IS NULL OR run_sheets >= 0', name=op.f('ck_paper_typing_run_sheets_non_negative')),
    sa.CheckConstraint('sheets IS NULL OR sheets >= 0', name=op.f('ck_paper_typing_sheets_non_negative')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_paper_typing_survey_id_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_paper_typing_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_typing')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_paper_typing_survey_id_user_id'))
    )
    op.create_table('fast_sheet',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sheet_no', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['survey_id', 'sheet_no'], ['response.survey_id', 'response.sheet_no'], name=op.f('fk_fast_sheet_survey_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'sheet_no', name=op.f('pk_fast_sheet'))
    )


def downgrade():
    op.drop_table('fast_sheet')
    op.drop_table('paper_typing')
