"""what the evaluation reads: response.uniform_likert, response_criterion, the checks' indexes

Revision ID: 7c4e9b1d2a60
Revises: 59d2371abfbb
Create Date: 2026-11-27 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e9b1d2a60'
down_revision = '59d2371abfbb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uniform_likert', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_response_uniform_likert_non_negative'), 'uniform_likert IS NULL OR uniform_likert >= 0'
        )
    # The responses already stored: how many likert answers, when they are all the same.
    op.execute(
        """
        UPDATE response SET uniform_likert = (
            SELECT CASE WHEN MIN(a.number) = MAX(a.number) THEN COUNT(*) ELSE 0 END
            FROM answer a WHERE a.response_id = response.id AND a.kind = 'likert5'
        )
        """
    )
    op.create_table('response_criterion',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('response_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('criterion', sa.String(length=32), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('n1', sa.Integer(), nullable=False),
    sa.Column('n2', sa.Integer(), nullable=False),
    sa.Column('n3', sa.Integer(), nullable=False),
    sa.Column('n4', sa.Integer(), nullable=False),
    sa.Column('n5', sa.Integer(), nullable=False),
    sa.CheckConstraint('n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0 AND n1 + n2 + n3 + n4 + n5 > 0', name=op.f('ck_response_criterion_counts')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_response_criterion_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_response_criterion_response_id_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_response_criterion_survey_id_survey'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_response_criterion_unit_id_unit'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_criterion'))
    )
    # The responses already stored: their likert answers counted per criterion tag and value.
    op.execute(
        """
        INSERT INTO response_criterion
            (response_id, survey_id, unit_id, criterion, organization_id, n1, n2, n3, n4, n5)
        SELECT a.response_id, r.survey_id, r.unit_id, q.criterion, q.organization_id,
               SUM(CASE WHEN a.number = 1 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.number = 2 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.number = 3 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.number = 4 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.number = 5 THEN 1 ELSE 0 END)
        FROM answer a
        JOIN question q ON q.id = a.question_id
        JOIN response r ON r.id = a.response_id
        WHERE a.kind = 'likert5' AND q.criterion IS NOT NULL
        GROUP BY a.response_id, r.survey_id, r.unit_id, q.criterion, q.organization_id
        """
    )
    op.create_index(op.f('ix_response_criterion_response_id'), 'response_criterion', ['response_id'], unique=False)
    op.create_index(op.f('ix_response_criterion_survey_id_criterion'), 'response_criterion', ['survey_id', 'criterion'], unique=False)
    # The integrity checks read these in order instead of the table.
    for column in ('duration_s', 'answers_digest', 'uniform_likert'):
        op.create_index(
            op.f(f'ix_response_survey_id_{column}'), 'response', ['survey_id', column], unique=False
        )


def downgrade():
    op.drop_index(op.f('ix_response_criterion_survey_id_criterion'), table_name='response_criterion')
    op.drop_index(op.f('ix_response_criterion_response_id'), table_name='response_criterion')
    op.drop_table('response_criterion')
    for column in ('duration_s', 'answers_digest', 'uniform_likert'):
        op.drop_index(op.f(f'ix_response_survey_id_{column}'), table_name='response')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_response_uniform_likert_non_negative'), type_='check')
        batch_op.drop_column('uniform_likert')
