"""Error pages per code; the 500 handler rolls back the session first."""

from flask import render_template

from survey.extensions import db


def register(app):
    """Attach the 400, 403, 404, 413, 429 and 500 handlers."""

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
        db.session.rollback()
        return render_template("errors/500.html"), 500
