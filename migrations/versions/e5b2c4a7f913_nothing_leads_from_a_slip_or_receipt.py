"""nothing leads from a slip or a receipt to the answers; responses released in batches

A slip keeps that it was used, not the day; receipt codes move out of the responses into a
table of their own; a response keeps the digest of its submission id, not the id, and no
start time; responses and their criterion rows get `released`, and the batches a table.

Revision ID: e5b2c4a7f913
Revises: 7c4e9b1d2a60
Create Date: 2026-12-04 20:10:00

"""
import hashlib
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2c4a7f913'
down_revision = '7c4e9b1d2a60'
branch_labels = None
depends_on = None

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _uid_digest(uid):
    # survey.submission.uid_digest, as of this revision.
    return hashlib.sha256(("submission:" + uid).encode("utf-8")).hexdigest()


def upgrade():
    bind = op.get_bind()
    # Slips: used, never when.
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE invitation SET used = (used_at IS NOT NULL)")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('used_at')

    # Receipt codes, apart from the responses and in the order of their codes.
    op.create_table('receipt',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(code) = 8', name=op.f('ck_receipt_code_length')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_receipt_survey_id_survey'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_receipt')),
    sqlite_with_rowid=False
    )
    op.execute("INSERT INTO receipt (code, survey_id) SELECT receipt, survey_id FROM response ORDER BY receipt")

    op.create_table('release_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.CheckConstraint('responses > 0', name=op.f('ck_release_batch_responses_positive')),
    sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_release_batch_survey_id_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release_batch'))
    )
    op.create_index(op.f('ix_release_batch_survey_id_id'), 'release_batch', ['survey_id', 'id'], unique=False)

    # The responses: the digest of the submission id instead of the id, no receipt, no start
    # time; what was stored before counted already, so it is released.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_attempt', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('released', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.alter_column('submission_uid', existing_type=sa.String(length=36), type_=sa.String(length=64))
        batch_op.drop_constraint(op.f('uq_response_receipt'), type_='unique')
        batch_op.drop_constraint(op.f('ck_response_receipt_length'), type_='check')
        batch_op.drop_column('receipt')
        batch_op.drop_column('started_at')
        batch_op.create_check_constraint(
            op.f('ck_response_receipt_attempt_non_negative'),
            'receipt_attempt IS NULL OR receipt_attempt >= 0',
        )
    if bind.dialect.name == 'postgresql':
        op.execute(
            "UPDATE response SET released = true, submission_uid = "
            "encode(sha256(convert_to('submission:' || submission_uid, 'UTF8')), 'hex')"
        )
    else:
        bind.connection.driver_connection.create_function(
            'survey_uid_digest', 1, _uid_digest, deterministic=True
        )
        op.execute("UPDATE response SET released = 1, submission_uid = survey_uid_digest(submission_uid)")
    op.create_index(
        'ix_response_survey_id_pending', 'response', ['survey_id'], unique=False,
        sqlite_where=sa.text('NOT released'), postgresql_where=sa.text('NOT released'),
    )
    op.execute(
        "INSERT INTO release_batch (survey_id, released_at, responses) "
        "SELECT survey_id, CURRENT_TIMESTAMP, COUNT(*) FROM response GROUP BY survey_id ORDER BY survey_id"
    )

    with op.batch_alter_table('response_criterion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('released', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.table('response_criterion', sa.column('released')).update().values(released=True))


def downgrade():
    # The links this revision removed cannot come back: a response gets a new receipt code,
    # a used slip the day it was printed, and the digest of its id stays in place of the id.
    bind = op.get_bind()
    with op.batch_alter_table('response_criterion', schema=None) as batch_op:
        batch_op.drop_column('released')
    op.drop_index('ix_response_survey_id_pending', table_name='response')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('receipt', sa.String(length=8), nullable=True))
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM response"))]
    codes = set()
    while len(codes) < len(ids):
        codes.add("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8)))
    for response_id, code in zip(ids, sorted(codes)):
        bind.execute(sa.text("UPDATE response SET receipt = :c WHERE id = :i"), {"c": code, "i": response_id})
    op.execute("UPDATE response SET submission_uid = substr(submission_uid, 1, 36)")
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_response_receipt_attempt_non_negative'), type_='check')
        batch_op.alter_column('receipt', existing_type=sa.String(length=8), nullable=False)
        batch_op.alter_column('submission_uid', existing_type=sa.String(length=64), type_=sa.String(length=36))
        batch_op.create_unique_constraint(op.f('uq_response_receipt'), ['receipt'])
        batch_op.create_check_constraint(op.f('ck_response_receipt_length'), 'length(receipt) = 8')
        batch_op.drop_column('released')
        batch_op.drop_column('receipt_attempt')
    op.drop_index(op.f('ix_release_batch_survey_id_id'), table_name='release_batch')
    op.drop_table('release_batch')
    op.drop_table('receipt')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.Date(), nullable=True))
    op.execute("UPDATE invitation SET used_at = created_on WHERE used")
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('used')
