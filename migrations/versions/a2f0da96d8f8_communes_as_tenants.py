"""communes as tenants

A province hosts its communes in one database. New tables `province` and `commune`; every
table of a commune's data gains `commune_id` (the officers' accounts and the audit log may
name none: the province's own). An existing database is one commune's: the upgrade makes that
commune, named from its saved settings (else the configured COMMUNE_NAME), its province from
PROVINCE_NAME when set, and puts every row into it. Codes of organizations and villages, and a
year's programme titles, are now unique within their commune; a setting is keyed by its
commune and key.

On PostgreSQL each of those tables gets row-level security: a row is seen and written only
when the transaction works for its commune (`survey.commune`, set by the application) or
across communes ('all'). The role the application takes (`survey_app`, DATABASE_ROLE) is made
when the migrating role may make roles; it owns nothing, so it cannot bypass the policies.

Revision ID: a2f0da96d8f8
Revises: 49a89cbf2e8b
Create Date: 2026-12-06 17:13:10.863124

"""
import json

from alembic import op
import sqlalchemy as sa
from flask import current_app, has_app_context


# revision identifiers, used by Alembic.
revision = 'a2f0da96d8f8'
down_revision = '49a89cbf2e8b'
branch_labels = None
depends_on = None

# Tables of a commune's data; the first two may also hold the province's own rows.
MAYBE_OWNED = ("user", "audit_log")
OWNED = (
    "organization", "unit", "setting", "survey", "response", "receipt", "release_batch",
    "invitation", "paper_entry", "paper_typing", "annual_indicator", "feedback_item",
    "programme", "task", "task_note", "task_evidence", "dialogue", "dialogue_issue",
    "evaluation", "year_assessment", "organization_head", "commendation",
)
ROLES = ("admin", "committee", "inspector", "org_officer", "unit_officer", "province_admin", "province_viewer")
APP_ROLE = "survey_app"
# A row is seen and written only when the transaction works for its commune, or across all;
# a row of no commune (a province officer's account, their audit entries) also when it works
# for no commune ('0': a province officer's request).
WALL = (
    "current_setting('survey.commune', true) = 'all' OR commune_id = "
    "NULLIF(NULLIF(current_setting('survey.commune', true), ''), 'all')::int"
    " OR (commune_id IS NULL AND current_setting('survey.commune', true) = '0')"
)


def upgrade():
    op.create_table('province',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_province')),
    sa.UniqueConstraint('name', name=op.f('uq_province_name'))
    )
    op.create_table('commune',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('national_code', sa.String(length=16), server_default='', nullable=False),
    sa.Column('merged_from', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['province.id'], name=op.f('fk_commune_province_id_province'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune')),
    sa.UniqueConstraint('code', name=op.f('uq_commune_code'))
    )
    commune_id = _the_existing_commune()
    for table in MAYBE_OWNED + OWNED:
        _add_commune_column(table, commune_id, nullable=table in MAYBE_OWNED)
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint('uq_organization_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_organization_commune_id_code'), ['commune_id', 'code'])
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('uq_unit_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_unit_commune_id_code'), ['commune_id', 'code'])
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint('uq_programme_year_title', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_programme_commune_id_year_title'), ['commune_id', 'year', 'title'])
    with op.batch_alter_table('setting', schema=None) as batch_op:
        batch_op.drop_constraint('pk_setting', type_='primary')
        batch_op.create_primary_key('pk_setting', ['commune_id', 'key'])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint('role', f"role IN ({', '.join(repr(r) for r in ROLES)})")
        batch_op.create_check_constraint(
            'province_role_without_commune',
            "(role IN ('province_admin', 'province_viewer')) = (commune_id IS NULL)",
        )
    if op.get_bind().dialect.name == 'postgresql':
        _row_level_security()


def _setting(conn, key):
    value = conn.execute(sa.text("SELECT value FROM setting WHERE key = :k"), {"k": key}).scalar()
    if isinstance(value, str) and value.startswith('"'):
        value = json.loads(value)  # SQLite hands JSON back as its text
    return value if isinstance(value, str) else None


def _the_existing_commune():
    """The commune an existing database's rows go to, or None for an empty database."""
    conn = op.get_bind()
    holds = any(
        conn.execute(sa.text(f'SELECT 1 FROM "{table}" LIMIT 1')).first()
        for table in ("organization", "unit", "user", "survey", "setting")
    )
    if not holds:
        return None
    configured = current_app.config if has_app_context() else {}
    name = _setting(conn, "COMMUNE_NAME") or configured.get("COMMUNE_NAME") or "Xã"
    province = _setting(conn, "PROVINCE_NAME") or configured.get("PROVINCE_NAME") or ""
    province_id = None
    if province:
        province_id = conn.execute(
            sa.text("INSERT INTO province (name) VALUES (:n) RETURNING id"), {"n": province}
        ).scalar()
    return conn.execute(
        sa.text(
            "INSERT INTO commune (code, name, province_id, national_code, merged_from)"
            " VALUES (:code, :name, :province, '', '[]') RETURNING id"
        ),
        {"code": _code(name), "name": name, "province": province_id},
    ).scalar()


def _code(name):
    from slugify import slugify

    words = name.split(maxsplit=1)
    if len(words) > 1 and words[0].lower() in ("xã", "phường", "thị", "đặc"):
        name = words[1]
    return slugify(name, separator="_", max_length=32, word_boundary=True) or "xa"


def _add_commune_column(table, commune_id, nullable):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
    if commune_id is not None:
        op.execute(sa.text(f'UPDATE "{table}" SET commune_id = {int(commune_id)}'))
    with op.batch_alter_table(table, schema=None) as batch_op:
        if not nullable:
            batch_op.alter_column('commune_id', existing_type=sa.Integer(), nullable=False)
        if table != "setting":
            batch_op.create_index(batch_op.f(f'ix_{table}_commune_id'), ['commune_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f(f'fk_{table}_commune_id_commune'), 'commune', ['commune_id'], ['id'], ondelete='RESTRICT')


def _row_level_security():
    may_make_roles = op.get_bind().execute(sa.text(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )).scalar()
    if may_make_roles:
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}')"
            f" THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; END $$"
        )
        op.execute(f"GRANT {APP_ROLE} TO current_user")
    has_role = op.get_bind().execute(
        sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
    ).first()
    if has_role:
        op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        op.execute(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}"
        )
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}")
    for table in MAYBE_OWNED + OWNED:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY commune_wall ON "{table}" USING ({WALL})')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in MAYBE_OWNED + OWNED:
            op.execute(f'DROP POLICY IF EXISTS commune_wall ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.execute("DELETE FROM \"user\" WHERE role IN ('province_admin', 'province_viewer')")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_province_role_without_commune'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint('role', f"role IN ({', '.join(repr(r) for r in ROLES[:5])})")
    with op.batch_alter_table('setting', schema=None) as batch_op:
        batch_op.drop_constraint('pk_setting', type_='primary')
        batch_op.create_primary_key('pk_setting', ['key'])
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_programme_commune_id_year_title'), type_='unique')
        batch_op.create_unique_constraint('uq_programme_year_title', ['year', 'title'])
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_unit_commune_id_code'), type_='unique')
        batch_op.create_unique_constraint('uq_unit_code', ['code'])
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_organization_commune_id_code'), type_='unique')
        batch_op.create_unique_constraint('uq_organization_code', ['code'])
    for table in reversed(MAYBE_OWNED + OWNED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_commune_id_commune'), type_='foreignkey')
            if table != "setting":
                batch_op.drop_index(batch_op.f(f'ix_{table}_commune_id'))
            batch_op.drop_column('commune_id')
    op.drop_table('commune')
    op.drop_table('province')
