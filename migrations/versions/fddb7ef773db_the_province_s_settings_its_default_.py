"""the province's settings: its default rule set

province_setting: the settings of the whole deployment, the province office's, which every
commune reads (key RULES_TOML: the province's default rule set, under which each commune's own
changes apply). Not a commune's data: no commune_id, no row-level security policy; on
PostgreSQL the application's role (survey_app), where it exists, may read and write it.
Empty after the upgrade: every commune keeps the rules it had.

Revision ID: fddb7ef773db
Revises: a2f0da96d8f8
Create Date: 2026-12-06 21:00:56.093600

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fddb7ef773db'
down_revision = 'a2f0da96d8f8'
branch_labels = None
depends_on = None

APP_ROLE = "survey_app"


def upgrade():
    op.create_table('province_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_province_setting'))
    )
    if op.get_bind().dialect.name == "postgresql":
        has_role = op.get_bind().execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        ).first()
        if has_role:
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON province_setting TO {APP_ROLE}")


def downgrade():
    op.drop_table('province_setting')
