"""When the database cannot be used (PostgreSQL restarting, an SQLite file read-only or full),
a request fails whole and says so: 503 with Retry-After, the person's answers shown back with
the same submission_uid, nothing half-written; and the next request works again by itself."""

import contextlib
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from survey.core.extensions import db as _db
from survey.models import Answer, FeedbackItem, Response, ResponseCriterion
from tests.conftest import postgresql_url
from tests.factories import make_defined_survey
from tests.responses.test_views import GOOD, checked, fresh_form

STORED_TABLES = (Response, Answer, ResponseCriterion, FeedbackItem)


def stored_rows():
    """Rows in every table a submission writes to."""
    return [
        _db.session.scalar(sa.select(sa.func.count()).select_from(table)) for table in STORED_TABLES
    ]


def uid_of(html):
    return re.search(r'name="submission_uid" type="hidden" value="([^"]*)"', html).group(1)


@contextlib.contextmanager
def database_down(engine):
    """Every statement fails as the driver fails when the server is gone."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        raise sa.exc.OperationalError(statement, parameters, ConnectionError("server is down"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@pytest.fixture
def survey(db):
    return make_defined_survey(db)


def assert_busy_form(response, uid):
    """503, Retry-After, the busy message, and every answer shown back under the same uid."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "máy chủ đang bận" in html
    assert uid_of(html) == uid
    assert checked(html, "q_hl", "4") and checked(html, "q_phong_trao", "ngheo")
    assert "Cảm ơn hội." in html


def test_a_submission_while_the_database_is_down_comes_back_whole_and_counts_once_later(
    app, client, survey
):
    fields = GOOD | fresh_form(client, survey)  # the form is read while the database is up
    with database_down(_db.engine):
        page = client.get(f"/s/{survey.code}")  # shown from the structure read before
        assert page.status_code == 200 and 'name="q_hl"' in page.get_data(as_text=True)
        refused = client.post(f"/s/{survey.code}", data=fields)
    assert_busy_form(refused, fields["submission_uid"])
    assert stored_rows() == [0, 0, 0, 0]

    sent = client.post(f"/s/{survey.code}", data=fields)
    again = client.post(f"/s/{survey.code}", data=fields)  # the phone's queue sends it again
    assert sent.status_code == again.status_code == 303
    assert sent.headers["Location"] == again.headers["Location"]
    assert stored_rows() == [1, 8, 1, 0]


def test_a_connection_lost_halfway_through_storing_leaves_nothing_behind(
    app, client, survey, monkeypatch
):
    """The response row is written, then the connection dies before its answers: the
    transaction is rolled back whole. On PostgreSQL the server really ends the connection."""
    from survey.responses import storing

    add_answers = storing._add_answers

    def die_halfway(*args, **kwargs):
        if postgresql_url():
            # As the connecting role: the application's own may not end a backend.
            _db.session.execute(sa.text("RESET ROLE"))
            _db.session.execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"))
        else:
            raise sa.exc.OperationalError("INSERT", {}, ConnectionError("connection lost"))
        return add_answers(*args, **kwargs)

    fields = GOOD | fresh_form(client, survey)
    monkeypatch.setattr(storing, "_add_answers", die_halfway)
    refused = client.post(f"/s/{survey.code}", data=fields)
    monkeypatch.setattr(storing, "_add_answers", add_answers)
    assert_busy_form(refused, fields["submission_uid"])
    assert stored_rows() == [0, 0, 0, 0]

    # The next request gets a working connection by itself (the pool checks before use).
    assert client.post(f"/s/{survey.code}", data=fields).status_code == 303
    assert stored_rows() == [1, 8, 1, 0]


@pytest.mark.postgresql
@pytest.mark.skipif(postgresql_url() is None, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_after_postgresql_ends_every_connection_the_next_requests_work(app, client, survey):
    """A PostgreSQL restart closes every pooled connection; no visitor sees an error for it."""
    assert client.get("/").status_code == 200  # the pool now holds a connection
    admin = sa.create_engine(postgresql_url(), poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    assert ended >= 1
    assert client.get("/").status_code == 200
    fields = GOOD | fresh_form(client, survey)
    assert client.post(f"/s/{survey.code}", data=fields).status_code == 303


def test_any_page_while_the_database_cannot_be_reached_is_a_clear_503(make_app, tmp_path):
    """Nothing cached to fall back on: the page says, in Vietnamese, to try again shortly."""
    if postgresql_url():
        url = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"  # nothing listens there
    else:
        url = "sqlite:///" + str(tmp_path / "missing-folder" / "survey.sqlite")
    client = make_app(SQLALCHEMY_DATABASE_URI=url).test_client()
    for response in (
        client.get("/"),
        client.post("/login", data={"username": "a", "password": "b"}),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code == 503, html
        assert response.headers["Retry-After"] == "30"
        assert "Tạm thời bận" in html and "không có gì được lưu" in html
    assert "nút Quay lại" in html  # after a POST: where the typed text still is


@pytest.fixture
def sqlite_file(database_url):
    if postgresql_url():
        pytest.skip("an SQLite file: the PostgreSQL run has none")
    return sa.engine.make_url(database_url).database


def test_a_read_only_sqlite_file_refuses_answers_clearly_and_stores_nothing(
    make_app, sqlite_file, survey
):
    read_only = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{sqlite_file}?mode=ro&uri=true")
    client = read_only.test_client()
    fields = GOOD | fresh_form(client, survey)  # reading still works
    assert_busy_form(client.post(f"/s/{survey.code}", data=fields), fields["submission_uid"])
    assert stored_rows() == [0, 0, 0, 0]


def test_a_full_sqlite_file_refuses_answers_clearly_and_keeps_only_whole_responses(
    make_app, sqlite_file, survey
):
    """The file may not grow (as on a full disk): submissions are stored until one does not
    fit; that one is refused with its answers shown back, and every stored one is whole."""
    app = make_app()
    with app.app_context():
        engine = _db.engine

    @event.listens_for(engine, "connect")
    def no_growth(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()

    engine.dispose()
    client = app.test_client()
    long_text = "Ý kiến về đường làng, " * 45  # near the text question's length limit
    stored = 0
    while True:
        fields = GOOD | fresh_form(client, survey, "?again=1") | {"q_gop_y": long_text[:990]}
        response = client.post(f"/s/{survey.code}", data=fields)
        if response.status_code != 303:
            break
        stored += 1
        assert stored < 2000, "the file never filled up"
    event.remove(engine, "connect", no_growth)
    engine.dispose()
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and "máy chủ đang bận" in html
    assert uid_of(html) == fields["submission_uid"]
    assert stored_rows() == [stored, 8 * stored, stored, 0]


def test_a_refusal_that_is_no_receipt_clash_names_its_real_cause(db, survey):
    """Only a taken receipt code is drawn again; any other refusal is raised as it is."""
    from tests.factories import submit_and_commit

    with pytest.raises(sa.exc.IntegrityError):
        submit_and_commit(survey, {"hl": 4}, submission_uid="u-1", unit_id=987654)
    assert stored_rows() == [0, 0, 0, 0]
