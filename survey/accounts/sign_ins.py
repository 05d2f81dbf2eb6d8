"""Officers' sessions, ended on the server: one row per sign-in.

Flask keeps the session in a signed cookie, which the server cannot take back: a copy saved
before signing out would open the workspace for as long as Flask reads it. So each sign-in gets
a random token, kept in the session (Flask-Login's user id is "<id>.<session version>.<token>")
and, as its SHA-256, in a `sign_in` row; the user is loaded only while that row is open:

- signing out ends that sign-in's row, and no other;
- a password change or reset, and a deactivation, end every row of the user (and raise
  User.session_version, which refuses at once any sign-in that raced with the change);
- a row is good for OFFICER_SESSION_SECONDS from the sign-in (a working day by default), and
  the session cookie itself, and any remember-me cookie, for no longer.

Nothing about the browser (address, user agent) is kept. Rows over for a month are deleted at
the next sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from survey.core.extensions import db
from survey.core.tenancy import across_communes
from survey.models import SignIn, User, utcnow

KEPT_AFTER = timedelta(days=30)  # an ended or expired row, before it is deleted


def lifetime() -> timedelta:
    """How long a sign-in lasts (OFFICER_SESSION_SECONDS)."""
    return timedelta(seconds=current_app.config["OFFICER_SESSION_SECONDS"])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> str:
    """Open a sign-in for `user` (flushed, committed by the request); return its token, which
    `user.get_id()` now carries."""
    db.session.execute(
        sa.delete(SignIn).where(SignIn.started_at < utcnow() - lifetime() - KEPT_AFTER)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(SignIn(user_id=user.id, token_hash=_digest(token)))
    db.session.flush()
    user.sign_in_token = token
    return token


def signed_in_user(session_id: str) -> User | None:
    """The user whose open sign-in `session_id` names ("<id>.<version>.<token>"), or None when
    it is malformed, ended, past its lifetime, or the user changed version or is deactivated."""
    user_id, version, token = (session_id.split(".", 2) + ["", ""])[:3]
    if not (user_id.isdigit() and version.isdigit() and token):
        return None
    # Read before the request knows its commune (which is the user's), so in any commune.
    with across_communes():
        user = db.session.scalar(
            sa.select(User)
            .join(SignIn, SignIn.user_id == User.id)
            .where(
                User.id == int(user_id),
                User.active,
                User.session_version == int(version),
                SignIn.token_hash == _digest(token),
                SignIn.ended_at.is_(None),
                SignIn.started_at > utcnow() - lifetime(),
            )
        )
    if user is not None:
        user.sign_in_token = token
    return user


def end(user: User) -> None:
    """End the sign-in `user` was loaded with (signing out)."""
    token = getattr(user, "sign_in_token", None)
    if token:
        _end(SignIn.token_hash == _digest(token))


def end_all(user: User) -> None:
    """End every open sign-in of `user` (password change or reset, deactivation)."""
    user.end_sessions()
    _end(SignIn.user_id == user.id)


def _end(condition) -> None:
    db.session.execute(
        sa.update(SignIn).where(condition, SignIn.ended_at.is_(None)).values(ended_at=utcnow())
    )


class OfficerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a cookie holding a signed-in officer is read
    for OFFICER_SESSION_SECONDS after it was written, not PERMANENT_SESSION_LIFETIME (31 days,
    which stays for the public's cookies: the receipts a phone remembers)."""

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(
                value,
                max_age=int(app.permanent_session_lifetime.total_seconds()),
                return_timestamp=True,
            )
        except BadSignature:
            return self.session_class()
        age = datetime.now(timezone.utc) - signed_at
        if "_user_id" in data and age > timedelta(seconds=app.config["OFFICER_SESSION_SECONDS"]):
            return self.session_class()  # signed in more than a working day ago: start afresh
        return self.session_class(data)


def init_app(app) -> None:
    """Officers' sessions, and any remember-me cookie, last OFFICER_SESSION_SECONDS at most."""
    app.session_interface = OfficerSessionInterface()
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        seconds=app.config["OFFICER_SESSION_SECONDS"]
    )
