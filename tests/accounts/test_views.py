"""Signing in and out."""

import pytest

from tests.factories import make_user


def test_sign_in_with_the_right_password(client, db, login):
    make_user(db, username="vanphong", password="correct horse battery", full_name="Nguyễn Thị Lan")
    db.session.commit()
    response = login("vanphong", "correct horse battery")
    assert response.status_code == 302
    assert "Nguyễn Thị Lan" in client.get("/").get_data(as_text=True)


def test_wrong_password_keeps_the_username_and_says_so_in_vietnamese(client, db, login):
    make_user(db, username="vanphong", password="correct horse battery")
    db.session.commit()
    response = login("vanphong", "wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert 'value="vanphong"' in html


def test_deactivated_user_cannot_sign_in(client, db, login):
    make_user(db, username="old", password="correct horse battery", active=False)
    db.session.commit()
    assert login("old", "correct horse battery").status_code == 200


def test_empty_form_names_each_missing_field(client):
    html = client.post("/login", data={}).get_data(as_text=True)
    assert "Xin nhập tên đăng nhập." in html
    assert "Xin nhập mật khẩu." in html


def test_sign_out_ends_the_session(client, db, login):
    make_user(db, username="vanphong", password="correct horse battery", full_name="Lan")
    db.session.commit()
    login("vanphong", "correct horse battery")
    response = client.post("/logout", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Bạn đã đăng xuất." in html
    assert "Đăng nhập (dành cho cán bộ)" in html


def test_next_parameter_cannot_leave_the_site(client, db):
    make_user(db, username="vanphong", password="correct horse battery")
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "vanphong", "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/manage/"


def _failed_sign_ins(client, username, times, address="10.0.0.1"):
    return [
        client.post(
            "/login",
            data={"username": username, "password": "not it"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for _ in range(times)
    ]


def _sign_in(client, username, password, address):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _app_with_officer(make_app, **config):
    app = make_app(RATELIMIT_ENABLED=True, **config)
    with app.app_context():
        from survey.core.extensions import db

        make_user(db, username="vanphong", password="correct horse battery")
        db.session.commit()
    return app


def test_an_address_guessing_one_account_is_stopped_after_five_wrong_passwords(make_app):
    client = _app_with_officer(make_app).test_client()
    assert _failed_sign_ins(client, "vanphong", 5, address="203.0.113.66") == [200] * 5
    # The sixth try from that address is refused before the password is looked at: the right
    # one too, or the refusal would tell a guesser which was right.
    refused = _sign_in(client, "vanphong", "correct horse battery", "203.0.113.66")
    assert refused.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in refused.get_data(as_text=True)
    # That address may still sign in to another account (its limit across accounts is wider).
    assert _failed_sign_ins(client, "thuongtruc", 1, address="203.0.113.66") == [200]


def test_strangers_wrong_passwords_never_lock_the_officer_out(make_app):
    """Wrong passwords for the committee's account, from one stranger's address and from forty
    others: the officer, from their own address, still signs in with the right one."""
    client = _app_with_officer(make_app).test_client()
    assert _failed_sign_ins(client, "vanphong", 6, address="203.0.113.66")[-1] == 429
    for n in range(40):
        assert _failed_sign_ins(client, "vanphong", 1, address=f"198.51.100.{n}") == [200]
    signed_in = _sign_in(client, "vanphong", "correct horse battery", "10.0.0.8")
    assert signed_in.status_code == 302


def test_an_account_counts_its_failures_per_address_in_any_case(make_app):
    """VanPhong and vanphong are one account: changing the case is not a fresh count."""
    client = _app_with_officer(make_app).test_client()
    for name in ("vanphong", "VanPhong", "VANPHONG", " vanphong", "vanPhong"):
        assert _failed_sign_ins(client, name, 1, address="203.0.113.66") == [200]
    assert _failed_sign_ins(client, "Vanphong", 1, address="203.0.113.66") == [429]


def test_sign_in_limits_are_shared_by_workers_through_redis(make_app):
    """Two apps stand for two gunicorn workers: the guesses sent to one count for the other."""
    from tests.core.test_rate_limits import REDIS_DB3, redis_running

    if not redis_running():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    import redis

    config = {"RATELIMIT_STORAGE_URI": REDIS_DB3, "WORKERS": 2}
    try:
        first = _app_with_officer(make_app, **config).test_client()
        second = make_app(RATELIMIT_ENABLED=True, **config).test_client()
        assert _failed_sign_ins(first, "vanphong", 3, address="203.0.113.66") == [200] * 3
        assert _failed_sign_ins(second, "vanphong", 3, address="203.0.113.66") == [200, 200, 429]
    finally:
        redis.Redis.from_url(REDIS_DB3).flushdb()


def test_with_memory_storage_each_worker_counts_its_share_of_the_failures(make_app):
    client = _app_with_officer(make_app, WORKERS=2).test_client()
    # Five a quarter-hour in all: two in each of the two workers.
    assert _failed_sign_ins(client, "vanphong", 3, address="203.0.113.66") == [200, 200, 429]


@pytest.fixture
def password_checks(monkeypatch):
    """Every password hash checked while signing in."""
    from survey.accounts import officers

    checked = []
    real = officers.check_password_hash

    def spy(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(officers, "check_password_hash", spy)
    return checked


@pytest.mark.parametrize("who", ["unknown", "deactivated", "active"])
def test_every_username_costs_one_password_check(client, db, login, password_checks, who):
    """An unknown username is not answered sooner than a real one: the same scrypt check is
    spent on a fixed hash (the same one every time), so the time says nothing."""
    make_user(db, username="deactivated", password="correct horse battery", active=False)
    make_user(db, username="active", password="correct horse battery")
    db.session.commit()
    assert login(who, "not the password").status_code == 200
    assert login(who, "not the password either").status_code == 200
    assert len(password_checks) == 2
    assert all(stored.startswith("scrypt:") for stored in password_checks)
    if who == "unknown":
        assert password_checks[0] == password_checks[1]  # computed once


def test_one_address_trying_many_accounts_is_throttled(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [_failed_sign_ins(client, f"user{n}", 1)[0] for n in range(21)]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    # A different address can still sign in.
    assert _failed_sign_ins(client, "someone", 1, address="10.0.0.2") == [200]


def test_right_passwords_do_not_count_towards_the_limit(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from survey.core.extensions import db

        make_user(db, username="vanphong", password="correct horse battery")
        db.session.commit()
    client = app.test_client()
    for _ in range(8):
        ok = client.post(
            "/login", data={"username": "vanphong", "password": "correct horse battery"}
        )
        assert ok.status_code == 302


def test_sign_in_starts_a_new_session(client, db, login):
    make_user(db, username="vanphong", password="correct horse battery")
    db.session.commit()
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    login("vanphong", "correct horse battery")
    with client.session_transaction() as after:
        assert "planted" not in after
        assert "_user_id" in after


def test_a_password_reset_signs_the_user_out_everywhere(client, db, login):
    user = make_user(db, username="vanphong", password="correct horse battery")
    db.session.commit()
    login("vanphong", "correct horse battery")
    assert client.get("/manage/").status_code == 200
    user.set_password("another long password")
    user.end_sessions()
    db.session.commit()
    assert client.get("/manage/").status_code == 302


def test_session_cookie_flags(make_app, db):
    app = make_app(PUBLIC_BASE_URL="https://khaosat.hatam.gov.vn")
    with app.app_context():
        make_user(db, username="vanphong", password="correct horse battery")
        db.session.commit()
    response = app.test_client().post(
        "/login", data={"username": "vanphong", "password": "correct horse battery"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_cookies_are_not_secure_only_on_plain_http(client, db, login):
    make_user(db, username="vanphong", password="correct horse battery")
    db.session.commit()
    cookie = login("vanphong", "correct horse battery").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie
