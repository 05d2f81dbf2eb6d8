"""Signing in and out."""

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


def test_an_account_is_locked_for_a_while_after_five_wrong_passwords(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        from survey.extensions import db

        make_user(db, username="vanphong", password="correct horse battery")
        db.session.commit()
    client = app.test_client()
    # Five wrong guesses from five addresses: the account itself is throttled.
    for n in range(5):
        assert _failed_sign_ins(client, "vanphong", 1, address=f"10.0.0.{n}") == [200]
    refused = client.post(
        "/login",
        data={"username": "vanphong", "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "10.0.9.9"},
    )
    assert refused.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in refused.get_data(as_text=True)
    # Another account is not affected.
    assert _failed_sign_ins(client, "thuongtruc", 1, address="10.0.9.9") == [200]


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
        from survey.extensions import db

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
