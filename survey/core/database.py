"""Engine settings per dialect: SQLite pragmas for SQLite, pool settings for PostgreSQL."""

import unicodedata

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import make_url

from survey.core import private_files
from survey.core.extensions import db


def backend_name(app=None):
    """Name of the configured database backend: 'sqlite' or 'postgresql'."""
    app = app or current_app
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()


def configure_engine_options(app):
    """Pool settings only for PostgreSQL; SQLite keeps SQLAlchemy's defaults."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if backend_name(app) == "postgresql":
        # Several gunicorn workers or hosts share the server: check a pooled connection before
        # use, so a restarted PostgreSQL costs one retry, not a 500.
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 10)
        options.setdefault("pool_recycle", 1800)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def attach_sqlite_pragmas(app):
    """Turn on foreign keys and WAL on every SQLite connection of this app's engine."""
    if backend_name(app) != "sqlite":
        return
    with app.app_context():
        engine = db.engine
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "do_connect")
    def _owner_only(_dialect, _record, _cargs, _cparams):
        # Before SQLite opens (and perhaps creates) the file: it and its -wal, -shm are 0600.
        private_files.private_sqlite(engine.url.database)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # SQLite's lower() folds ASCII only; searches need Vietnamese letters folded too.
        dbapi_connection.create_function("unicode_fold", 1, fold_text, deterministic=True)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def fold_text(text):
    """Text as searches compare it: NFC-composed and lower case (None stays None).

    >>> fold_text("ĐƯỜNG") == "đường"
    True
    """
    return None if text is None else unicodedata.normalize("NFC", text).lower()


def folded(column):
    """SQL for `fold_text(column)`: Unicode lower case on SQLite and PostgreSQL alike."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.unicode_fold(column)
    return sa.func.normalize(sa.func.lower(column), sa.literal_column("NFC"))
