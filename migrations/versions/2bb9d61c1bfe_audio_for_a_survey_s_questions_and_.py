"""audio for a survey's questions and options

survey_audio: a recording of a survey's title or introduction, a question's text, an option's label or a satisfaction face's
words in one of the survey's languages, for people who read little; the sound is kept in the
row (small MP3 files), one per text and language. A commune's data: commune_id, and on
PostgreSQL the row-level security policy `commune_wall` (as migration a2f0da96d8f8 gives the
other tables) and the application's role's rights. survey.audio_autoplay: the form plays a
question's audio when it comes into view. Nothing to move: no survey has audio before.

Revision ID: 2bb9d61c1bfe
Revises: e580a9b0ee76
Create Date: 2026-12-06 23:51:15.169553

"""
from alembic import op
import sqlalchemy as sa


APP_ROLE = "survey_app"
WALL = (
    "current_setting('survey.commune', true) = 'all' OR commune_id = "
    "NULLIF(NULLIF(current_setting('survey.commune', true), ''), 'all')::int"
)


# revision identifiers, used by Alembic.
revision = '2bb9d61c1bfe'
down_revision = 'e580a9b0ee76'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_audio',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('face', sa.SmallInteger(), nullable=True),
    sa.Column('target', sa.String(length=24), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('text_digest', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("content_type IN ('audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/ogg', 'audio/wav', 'audio/webm')", name=op.f('ck_survey_audio_content_type')),
    sa.CheckConstraint('(question_id IS NOT NULL AND option_id IS NULL AND face IS NULL) OR (question_id IS NULL AND option_id IS NOT NULL AND face IS NULL) OR (question_id IS NULL AND option_id IS NULL AND face BETWEEN 1 AND 5) OR (question_id IS NULL AND option_id IS NULL AND face IS NULL AND target IN (\'title\', \'description\'))', name=op.f('ck_survey_audio_one_target')),
    sa.CheckConstraint('size > 0', name=op.f('ck_survey_audio_size_positive')),
    sa.ForeignKeyConstraint(['commune_id'], ['commune.id'], name=op.f('fk_survey_audio_commune_id_commune'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_survey_audio_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['option_id'], ['option.id'], name=op.f('fk_survey_audio_option_id_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_survey_audio_question_id_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_audio_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_audio')),
    sa.UniqueConstraint('survey_id', 'target', 'lang', name=op.f('uq_survey_audio_survey_id_target_lang'))
    )
    with op.batch_alter_table('survey_audio', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_audio_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_audio_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_audio_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_audio_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audio_autoplay', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


def _row_level_security():
    """The wall between communes, as every other table of a commune's data has it."""
    has_role = op.get_bind().execute(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
    ).first()
    if has_role:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON survey_audio TO {APP_ROLE}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE survey_audio_id_seq TO {APP_ROLE}")
    op.execute('ALTER TABLE survey_audio ENABLE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY commune_wall ON survey_audio USING ({WALL})')


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('audio_autoplay')

    with op.batch_alter_table('survey_audio', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_audio_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_audio_question_id'))
        batch_op.drop_index(batch_op.f('ix_survey_audio_option_id'))
        batch_op.drop_index(batch_op.f('ix_survey_audio_commune_id'))

    op.drop_table('survey_audio')
