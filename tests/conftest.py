"""Fixtures: `app`, `client`, `runner`, `db`, `login`, on SQLite or on TEST_DATABASE_URL.

The suite runs once per database: without TEST_DATABASE_URL on a SQLite file, with it on that
PostgreSQL database. The schema is built by the migrations (not create_all), so every test also
exercises them; each test starts from empty tables.
"""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from survey.commune import tenants
from survey.core import chartjs
from survey.core.extensions import db as _db
from survey.responses import audio_clips, catalog, survey_form
from survey.responses import views as take

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """Compile the translation catalogs, so no test runs against stale .mo files."""
    for po_path in (ROOT / "survey" / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as f:
            catalog = read_po(f)
        with po_path.with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)


def postgresql_url():
    """TEST_DATABASE_URL with the psycopg 3 driver, or None when unset."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise pytest.UsageError(f"TEST_DATABASE_URL must be a PostgreSQL URL, got {url!r}")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def pytest_report_header(config):
    url = postgresql_url()
    return f"database: {'PostgreSQL ' + url if url else 'SQLite (TEST_DATABASE_URL not set)'}"


def base_config(database_url, **overrides):
    """The configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://survey.test",
        "SURVEY_CACHE_SECONDS": 0,  # each test changes surveys and villages at will
        "AGGREGATE_REFRESH": "inline",  # a page shows the data the test just wrote
        # Whether `make vendor` ran changes the default; CHARTJS_URL=None gives it back.
        "CHARTJS_URL": chartjs.CDN_URL,
        # On PostgreSQL every test works as the application's role, under row-level security.
        "DATABASE_ROLE": "survey_app" if database_url.startswith("postgresql") else None,
        **overrides,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database with the migrated schema, for the whole session."""
    url = postgresql_url()
    if url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")
    app = create_app(base_config(url))
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    """A fresh instance folder for this test's app."""
    path = tmp_path / "instance"
    path.mkdir()
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(path))
    return path


@contextmanager
def new_empty_database(sqlite_path):
    """The URL of a brand-new empty database on the backend under test (SQLite at
    `sqlite_path`), dropped afterwards."""
    server_url = postgresql_url()
    if server_url is None:
        yield f"sqlite:///{sqlite_path}"
        return
    # Named after the test database, so parallel test runs on one server keep to their own.
    name = f"{sa.engine.make_url(server_url).database}_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture
def empty_database_url(tmp_path, instance_path):
    """A brand-new empty database on the backend under test, dropped afterwards."""
    with new_empty_database(tmp_path / "migrations.sqlite") as url:
        yield url


class RequestIsolatingClient(FlaskClient):
    """Runs each request in its own application context, as a server does.

    A test holds an app context open for its `db` work; without this, requests would share its
    `g` (cached locale, signed-in user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url, instance_path):
    """Build an app on the test database with extra configuration; tables emptied after."""
    apps = []

    def factory(**overrides):
        app = create_app(base_config(database_url, **overrides))
        app.test_client_class = RequestIsolatingClient
        apps.append(app)
        return app

    yield factory
    forget_cached_forms()
    for app in apps:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
    cleaner = create_app(base_config(database_url))
    with cleaner.app_context():
        empty_tables()
        _db.engine.dispose()


def forget_cached_forms():
    """Each test rebuilds the database: what workers keep between requests must go too."""
    catalog.forget_cached()
    audio_clips.forget_cached()
    tenants.forget_cached()
    survey_form._FORM_CLASSES.clear()
    take._BLANK_QUESTIONS.clear()
    take._BLANK_PAGES.clear()


def empty_tables():
    """Delete every row, so the next test starts from an empty schema."""
    tables = _db.metadata.sorted_tables
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def app(make_app):
    """The application on the test database."""
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def db(app):
    """The Flask-SQLAlchemy handle, inside an app context."""
    return _db


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Sign in through the form: login(username, password) returns the response."""

    def sign_in(username, password):
        return client.post(
            "/login", data={"username": username, "password": password}, follow_redirects=False
        )

    return sign_in
