"""Public pages: the landing page, the language switch, the health check."""

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from survey.commune import tenants
from survey.core.extensions import db
from survey.core.i18n import LANG_COOKIE, LANG_COOKIE_AGE, select_locale
from survey.core.redirect_target import local_path
from survey.core.tenancy import current_commune_id
from survey.responses import catalog

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    """Open public surveys, the language switch and the sign-in link."""
    if current_commune_id() == tenants.NO_COMMUNE and not current_user.is_authenticated:
        # Several communes share the site and the visitor chose none yet: let them choose.
        communes = tenants.commune_rows()
        return render_template("public/communes.html", communes=communes)
    surveys = catalog.open_public_surveys()
    return render_template("public/index.html", surveys=surveys, lang=select_locale())


@bp.get("/lang/<code>")
def set_language(code):
    """Remember the chosen interface language in a cookie and go back where the person was."""
    # Never off this site, however a browser reads the address.
    response = redirect(local_path(request.args.get("next")) or url_for("public.index"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE, code, max_age=LANG_COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return response


@bp.get("/healthz")
def healthz():
    """200 with {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that it may keep the survey pages."""
    response = send_from_directory(
        current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0
    )
    response.headers["Cache-Control"] = "no-cache"
    return response
