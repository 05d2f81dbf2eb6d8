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
    assert response.headers["Location"] == "/"
