"""Sign-in and sign-out for officers."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from sqlalchemy import func, select

from survey.extensions import db, login_manager
from survey.forms import LoginForm
from survey.models import User, utcnow

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id):
    """The signed-in user for Flask-Login, or None when unknown or deactivated."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


login_manager.login_message = None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; on valid credentials start a fresh session."""
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(_("Wrong username or password."))
        else:
            session.clear()  # a new session at sign-in: nothing carried over from before
            login_user(user)
            user.last_login = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("public.index"))


def _safe_next(target):
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.index")
