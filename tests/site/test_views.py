"""The landing page, the language switch, the health check and the error pages."""

from datetime import datetime, timedelta, timezone

import pytest
from flask import Blueprint

from survey.core.extensions import db as _db
from survey.models import Organization
from tests.factories import make_organization, make_survey


def test_landing_page_is_vietnamese_by_default(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Lắng nghe ý kiến Nhân dân" in html
    assert "Khảo sát đang mở" in html
    assert "Hiện chưa có khảo sát nào đang mở" in html
    assert 'href="/login"' in html


def test_landing_lists_only_open_public_surveys(client, db):
    now = datetime.now(timezone.utc)
    org = make_organization(db, short_name="Hội Nông dân")
    make_survey(
        db, code="open-one", title={"vi": "Khảo sát đang mở A"}, status="open", organizations=[org]
    )
    make_survey(db, code="draft-one", title={"vi": "Bản nháp B"}, status="draft")
    make_survey(db, code="member-one", title={"vi": "Hội viên C"}, status="open", audience="member")
    make_survey(
        db,
        code="ended",
        title={"vi": "Đã hết hạn D"},
        status="open",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    make_survey(
        db, code="later", title={"vi": "Chưa mở E"}, status="open", opens_at=now + timedelta(days=1)
    )
    db.session.commit()

    html = client.get("/").get_data(as_text=True)
    assert "Khảo sát đang mở A" in html and 'href="/s/open-one"' in html
    assert "Hội Nông dân" in html
    for hidden in ("Bản nháp B", "Hội viên C", "Đã hết hạn D", "Chưa mở E"):
        assert hidden not in html


def test_survey_titles_are_escaped(client, db):
    make_survey(db, code="xss", title={"vi": "<script>alert(1)</script>"}, status="open")
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_language_switch_changes_the_page_language(client):
    switched = client.get("/lang/en?next=/")
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Hearing the people's voice" in html
    assert "Lắng nghe ý kiến Nhân dân" not in html

    client.get("/lang/vi")
    assert "Lắng nghe ý kiến Nhân dân" in client.get("/").get_data(as_text=True)


def test_language_query_parameter_wins_for_one_page(client):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    response = client.get("/lang/xx?next=/")
    assert "lang" not in response.headers.get("Set-Cookie", "")


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    broken = make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "no" / "such" / "x.db"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_404_page_is_vietnamese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_500_page_rolls_back_the_session(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def fail():
        _db.session.add(Organization(code="half", name="Half-written", short_name="H"))
        _db.session.flush()
        raise RuntimeError("failure in the middle of a request")

    app.register_blueprint(boom)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Đã có lỗi xảy ra" in response.get_data(as_text=True)
    with app.app_context():
        assert _db.session.query(Organization).filter_by(code="half").count() == 0


def test_request_body_over_the_limit_is_refused(client):
    response = client.post("/login", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in response.get_data(as_text=True)
