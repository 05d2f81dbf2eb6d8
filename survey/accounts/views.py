"""Sign-in and sign-out for officers.

Wrong passwords are counted per account at each address (LOGIN_RATE_LIMIT_ACCOUNT: a guesser
at one account is stopped) and per address across accounts (LOGIN_RATE_LIMIT_ADDRESS: one
trying many accounts is stopped). Nobody's wrong passwords count at the officer's own address,
so a stranger cannot lock an officer out. The counts are kept where Flask-Limiter keeps them
(shared by every worker with Redis; each worker's share of the limit otherwise).
"""

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from survey.accounts import sign_ins
from survey.accounts.forms import LoginForm
from survey.accounts.officers import authenticate
from survey.commune import tenants
from survey.core.extensions import db, limiter, login_manager
from survey.core.rate_limits import address_key, worker_limit
from survey.core.redirect_target import local_path
from survey.models import utcnow

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(session_id):
    """The signed-in user for Flask-Login, or None when unknown, deactivated, signed out or
    past the sign-in's lifetime: the session names a sign-in that must still be open on the
    server (survey/accounts/sign_ins.py)."""
    return sign_ins.signed_in_user(session_id)


login_manager.login_message = None


def _account_at_address_key():
    account = request.form.get("username", "").strip().lower()[:64]
    return f"login-account:{account}@{address_key()}"


def _failed(_response):
    return g.get("login_failed", False)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(worker_limit("LOGIN_RATE_LIMIT_ADDRESS"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    worker_limit("LOGIN_RATE_LIMIT_ACCOUNT"),
    methods=["POST"],
    key_func=_account_at_address_key,
    deduct_when=_failed,
)
def login():
    """Show the sign-in form; on valid credentials start a fresh session."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            g.login_failed = True  # counts against this address, and this account at it
            form.password.errors.append(_("Wrong username or password."))
        else:
            session.clear()  # a new session at sign-in: nothing carried over from before
            tenants.work_for_user(user)
            sign_ins.start(user)
            login_user(user)
            user.last_login = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session, on the server too: a copy of the cookie opens nothing after this."""
    sign_ins.end(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("public.index"))


def _safe_next(target):
    return local_path(target) or url_for("manage.index")
