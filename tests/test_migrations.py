"""The migrations build exactly the models' schema, and go down to nothing and up again."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from survey.extensions import db
from tests.conftest import base_config, postgresql_url


@pytest.fixture
def empty_database_url(tmp_path, instance_path):
    """A brand-new empty database on the backend under test, dropped afterwards."""
    server_url = postgresql_url()
    if server_url is None:
        yield "sqlite:///" + str(tmp_path / "migrations.sqlite")
        return
    name = f"survey_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def schema_differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def table_names():
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrated_schema_equals_the_models_and_round_trips(empty_database_url):
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade()
        assert table_names() == set(db.metadata.tables)
        assert schema_differences() == []

        downgrade(revision="base")
        assert table_names() == set()

        upgrade()
        assert schema_differences() == []
        db.engine.dispose()


def test_a_model_change_without_a_migration_is_detected(empty_database_url):
    """The parity check can fail: a column the migrations do not create shows up."""
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade()
        extra = sa.Table(
            "survey_probe_extra", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True)
        )
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn)
            merged = sa.MetaData()
            for table in db.metadata.tables.values():
                table.to_metadata(merged)
            extra.to_metadata(merged)
            diffs = compare_metadata(context, merged)
        assert [d[0] for d in diffs] == ["add_table"]
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row(empty_database_url):
    """Later revisions rebuild tables on SQLite; rows that point at them must survive."""
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade(revision="a8b71c520bba")  # the first revision, then data, then the rest
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO survey (id, code, title, description, audience, topic, year,"
                    " status, languages, version, created_at, updated_at) VALUES (1, 'old', '{}',"
                    " '{}',"
                    " 'public', 'satisfaction', 2024, 'closed', '[]', 1,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO question (id, survey_id, code, position, kind, text, help,"
                    " required, feedback)"
                    " VALUES (1, 1, 'q1', 0, 'likert5', '{}', '{}', true, false)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO response (id, survey_id, submission_uid, receipt,"
                    " answers_digest, channel, lang, submitted_at) VALUES (1, 1, 'u1',"
                    " 'ABCDEFGH', 'd', 'web', 'vi', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO answer (id, response_id, question_id, kind, number)"
                    " VALUES (1, 1, 1, 'likert5', 4)"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            counts = [
                conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar()
                for t in ("survey", "question", "response", "answer")
            ]
            double_entry = conn.execute(sa.text("SELECT double_entry FROM survey")).scalar()
        assert counts == [1, 1, 1, 1]
        assert not double_entry
        assert schema_differences() == []
        # Foreign keys are enforced again on the app's connections after the migration.
        with db.engine.connect() as conn, pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("DELETE FROM survey"))
        db.engine.dispose()
