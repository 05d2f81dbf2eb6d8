"""An officer's session ends on the server: signing out, a password change or reset and a
deactivation end it, whatever cookie a browser (or whoever copied it) still holds, and it lasts
a working day at most (OFFICER_SESSION_SECONDS)."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from survey.accounts import officers
from survey.models import SignIn, User, utcnow
from tests.factories import make_user

PASSWORD = "correct horse battery"


@pytest.fixture
def officer(db):
    user = make_user(db, username="vanphong", password=PASSWORD, role="admin")
    db.session.commit()
    return user


def signed_in(app, username="vanphong"):
    """A browser signed in as `username`, and its session cookie as saved at that moment."""
    browser = app.test_client()
    response = browser.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser, browser.get_cookie("session").value


def opens_workspace(app, cookie):
    """Whether a browser holding only this session cookie gets the workspace."""
    copy = app.test_client()
    copy.set_cookie("session", cookie)
    response = copy.get("/manage/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def test_a_cookie_copied_before_sign_out_is_refused_after(app, officer):
    browser, cookie = signed_in(app)
    assert opens_workspace(app, cookie)
    assert browser.post("/logout").status_code == 302
    assert not opens_workspace(app, cookie)
    assert browser.get("/manage/").status_code == 302


def test_signing_out_ends_that_sign_in_only(app, officer):
    office, office_cookie = signed_in(app)
    _home, home_cookie = signed_in(app)
    office.post("/logout")
    assert not opens_workspace(app, office_cookie)
    assert opens_workspace(app, home_cookie)


@pytest.mark.parametrize(
    "change",
    [
        lambda user: officers.reset_password(user, "another long password"),
        lambda user: officers.deactivate_user(user),
    ],
    ids=["password reset", "deactivation"],
)
def test_a_password_reset_or_a_deactivation_ends_every_sign_in(app, db, officer, change):
    _office, office_cookie = signed_in(app)
    _home, home_cookie = signed_in(app)
    change(db.session.get(User, officer.id))
    db.session.commit()
    assert not opens_workspace(app, office_cookie)
    assert not opens_workspace(app, home_cookie)
    ended = db.session.scalars(sa.select(SignIn.ended_at)).all()
    assert len(ended) == 2 and None not in ended  # the rows say so too


def test_a_reset_through_the_administration_page_ends_the_users_sign_ins(app, db, officer):
    committee = make_user(db, username="thuongtruc", password=PASSWORD, role="committee")
    db.session.commit()
    _browser, cookie = signed_in(app, "thuongtruc")
    admin, _admin_cookie = signed_in(app)
    page = admin.post(
        f"/manage/admin/users/{committee.id}/password",
        data={"password": "another long password", "confirm": "another long password"},
    )
    assert page.status_code in (302, 303)
    assert not opens_workspace(app, cookie)


def test_a_sign_in_lasts_a_working_day_by_default(app, db, officer):
    assert app.config["OFFICER_SESSION_SECONDS"] == 10 * 3600
    _browser, cookie = signed_in(app)
    row = db.session.scalar(sa.select(SignIn))
    row.started_at = utcnow() - timedelta(hours=9, minutes=59)
    db.session.commit()
    assert opens_workspace(app, cookie)
    row.started_at = utcnow() - timedelta(hours=10, minutes=1)
    db.session.commit()
    assert not opens_workspace(app, cookie)


def test_the_lifetime_is_configurable(make_app, db):
    app = make_app(OFFICER_SESSION_SECONDS=3600)
    with app.app_context():
        make_user(db, username="vanphong", password=PASSWORD)
        db.session.commit()
        _browser, cookie = signed_in(app)
        db.session.execute(sa.update(SignIn).values(started_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
        assert not opens_workspace(app, cookie)


def test_the_session_cookie_itself_is_good_for_the_lifetime_only(app, officer, monkeypatch):
    """Even with its sign-in still open on the server, a cookie written more than the lifetime
    ago is not read (Flask alone would read it for 31 days)."""
    browser, _cookie = signed_in(app)
    with browser.session_transaction() as session:
        contents = dict(session)
    serializer = app.session_interface.get_signing_serializer(app)
    signed_now = serializer.dumps(contents)
    eleven_hours_ago = time.time() - 11 * 3600
    monkeypatch.setattr(time, "time", lambda: eleven_hours_ago)
    signed_then = serializer.dumps(contents)
    monkeypatch.undo()
    assert opens_workspace(app, signed_now)
    assert not opens_workspace(app, signed_then)


def test_no_remember_me_cookie_and_its_duration_is_the_lifetime(app, officer):
    browser = app.test_client()
    response = browser.post("/login", data={"username": "vanphong", "password": PASSWORD})
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(hours=10)


def test_the_server_keeps_a_hash_of_the_token_not_the_token(app, db, officer):
    browser, _cookie = signed_in(app)
    with browser.session_transaction() as session:
        token = session["_user_id"].rsplit(".", 1)[1]
    row = db.session.scalar(sa.select(SignIn))
    assert len(token) >= 32 and token not in row.token_hash


def test_sign_ins_long_over_are_deleted_at_the_next_sign_in(app, db, officer):
    signed_in(app)
    db.session.execute(sa.update(SignIn).values(started_at=utcnow() - timedelta(days=45)))
    db.session.commit()
    signed_in(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignIn)) == 1
