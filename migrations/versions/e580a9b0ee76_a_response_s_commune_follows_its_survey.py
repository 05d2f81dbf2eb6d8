"""a response's commune follows from its survey: PostgreSQL is told so

Every query of responses is limited to the commune at hand (survey/models/scoping.py), so a
query for one survey's responses asks `survey_id = :s AND commune_id = :c`. PostgreSQL takes
the two conditions for independent and expects almost no row where there are a survey's
thousand, and so reads the newest response of a survey (what the dashboards' kept figures
check on every request) by intersecting the survey's index with the whole commune's instead of
taking the last entry of `ix_response_survey_id_submitted_at`: milliseconds instead of
microseconds, growing with the commune. Extended statistics of the functional dependency
survey_id -> commune_id correct the estimate; the upgrade analyzes the table so that they hold
at once. Nothing on SQLite, whose planner has no such statistics.

Revision ID: e580a9b0ee76
Revises: fddb7ef773db
Create Date: 2026-12-06 21:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e580a9b0ee76'
down_revision = 'fddb7ef773db'
branch_labels = None
depends_on = None

STATISTICS = "st_response_survey_id_commune_id"


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies)"
        " ON survey_id, commune_id FROM response"
    )
    op.execute("ANALYZE response")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
