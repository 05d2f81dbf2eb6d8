"""the year's steps: self-assessment, review, decision; the Front organization

year_assessment: per organization and year, its self-assessment (strengths, limitations,
causes, remedies, the tier it proposes), the review's comments and the Standing Committee's
decided tier beside the computed one (a different tier needs its reason), each with who and
when. organization.is_front: the Fatherland Front committee, whose standing board reviews the
affiliated organizations; set on the organizations page.

Revision ID: 8b565b61b76d
Revises: e0f670307dc7
Create Date: 2026-12-06 12:33:50.089289

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b565b61b76d'
down_revision = 'e0f670307dc7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('year_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('limitations', sa.Text(), nullable=False),
    sa.Column('causes', sa.Text(), nullable=False),
    sa.Column('remedies', sa.Text(), nullable=False),
    sa.Column('proposed_tier', sa.String(length=20), nullable=True),
    sa.Column('self_by_id', sa.Integer(), nullable=True),
    sa.Column('self_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_tier', sa.String(length=20), nullable=True),
    sa.Column('computed_tier', sa.String(length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("decided_tier IS NULL OR computed_tier IS NULL OR decided_tier = computed_tier OR decision_reason != ''", name=op.f('ck_year_assessment_adjustment_has_reason')),
    sa.CheckConstraint("decided_tier IS NULL OR decided_tier IN ('xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh')", name=op.f('ck_year_assessment_decided_tier')),
    sa.CheckConstraint("proposed_tier IS NULL OR proposed_tier IN ('xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh')", name=op.f('ck_year_assessment_proposed_tier')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_year_assessment_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_year_assessment_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_year_assessment_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['self_by_id'], ['user.id'], name=op.f('fk_year_assessment_self_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_assessment')),
    sa.UniqueConstraint('organization_id', 'year', name=op.f('uq_year_assessment_organization_id_year'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_front', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('is_front')

    op.drop_table('year_assessment')
