"""The migrations build exactly the models' schema, and go down to nothing and up again."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from survey.core.extensions import db
from tests.conftest import base_config


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


def test_what_the_evaluation_reads_is_filled_in_for_responses_stored_before_it(empty_database_url):
    """Upgrading to 7c4e9b1d2a60 computes, from the answers of every stored response, its
    straight-lining count and its sums per criterion: the values a new submission stores."""
    from survey.models import Response
    from tests.factories import make_defined_survey, submit_and_commit
    from tests.responses.test_response_criterion import stored as sums

    likert = [
        {"code": f"q{i}", "kind": "likert5", "text": {"vi": f"Câu {i}"}, "criterion": tag}
        for i, tag in enumerate(["satisfaction", "satisfaction", "supervision", None, None], 1)
    ]
    app = create_app(base_config(empty_database_url))
    with app.app_context():
        upgrade()
        survey = make_defined_survey(
            db, questions=[*likert, {"code": "t", "kind": "text", "text": {"vi": "Góp ý"}}]
        )
        given = {
            "same": {f"q{i}": 3 for i in range(1, 6)} | {"t": "x"},
            "mixed": {f"q{i}": 3 for i in range(1, 5)} | {"q5": 4},
            "none": {"t": "chỉ góp ý"},
        }
        ids = {}
        for uid, answers in given.items():
            submit_and_commit(survey, answers, submission_uid=uid)
            ids[uid] = db.session.scalar(sa.select(sa.func.max(Response.id)))
        uniform = sa.select(Response.id, Response.uniform_likert)
        stored = dict(db.session.execute(uniform).all())
        assert stored == {ids["same"]: 5, ids["mixed"]: 0, ids["none"]: 0}
        summed = sums(db)
        assert len(summed) == 4  # satisfaction and supervision of "same" and "mixed"
        db.session.remove()

        downgrade(revision="59d2371abfbb")
        upgrade()
        assert dict(db.session.execute(uniform).all()) == stored
        assert sums(db) == summed
        db.session.remove()
        db.engine.dispose()
