"""Error pages per code; the 500 and 503 handlers roll back the session first."""

import logging

from flask import render_template
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from survey.core.extensions import db

log = logging.getLogger(__name__)

# Seconds a client is asked to wait before sending again when the database cannot be used.
RETRY_AFTER_SECONDS = 30

# What the driver raises when the database cannot be reached or written (PostgreSQL down or
# restarting, SQLite locked past its busy timeout, read-only or full): the request is refused
# whole, with 503, and may be sent again.
UNAVAILABLE = (OperationalError, InterfaceError)


def rollback_quietly():
    """Roll back the session; when the connection is gone, the rollback fails too, harmlessly."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed after a database error", exc_info=True)


def register(app):
    """Attach the 400, 403, 404, 413, 429, 500 and 503 handlers."""

    @app.errorhandler(400)
    def bad_request(_error):
        return render_template("errors/400.html"), 400

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/413.html"), 413

    @app.errorhandler(429)
    def too_many(_error):
        return render_template("errors/429.html"), 429

    @app.errorhandler(500)
    def server_error(_error):
        # The failed request may have left the session mid-transaction; the page itself must
        # not fail on it.
        rollback_quietly()
        return render_template("errors/500.html"), 500

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # Logged in full for the administrator (no request data: nothing about the visitor).
        log.error("database unavailable: %s", error.orig or error, exc_info=error)
        rollback_quietly()
        return unavailable()


def unavailable():
    """The 503 response: the page saying nothing was saved, and when to try again."""
    return render_template("errors/503.html"), 503, retry_later()


def retry_later():
    """The header asking a client (the phone's queue) to send again in RETRY_AFTER_SECONDS."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}
