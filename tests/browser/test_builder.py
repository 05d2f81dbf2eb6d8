"""An organization officer on a phone builds a survey from a template, opens it, and the public
form shows it; an officer of another organization may not open it."""

import pytest

from survey.core.extensions import db
from tests.factories import make_organization, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def officers(live_server):
    with live_server.app.app_context():
        nongdan = make_organization(
            db, code="nongdan", name="Hội Nông dân xã", short_name="Nông dân"
        )
        phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", short_name="Phụ nữ")
        make_user(db, username="cb_nongdan", role="org_officer", organization=nongdan)
        make_user(db, username="cb_phunu", role="org_officer", organization=phunu)
        db.session.commit()
        db.session.remove()
    return live_server


def sign_in(open_page, username):
    page = open_page("/login", width=360, height=740)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    return page


def test_an_officer_builds_a_survey_from_a_template_and_the_public_sees_it(officers, open_page):
    page = sign_in(open_page, "cb_nongdan")
    page.goto(officers.url + "/manage/surveys/new")
    page.get_by_label("Mẫu: mức độ hài lòng của Nhân dân").check()
    page.fill("#code", "hailong-2026")
    page.fill("#year", "2026")
    page.get_by_role("button", name="Tạo khảo sát").click()
    page.wait_for_url("**/manage/surveys/hailong-2026")
    assert "Hội Nông dân xã" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A number question, then a choose-several question with three options.
    page.get_by_role("link", name="Thêm câu hỏi").click()
    page.fill("#code", "so_lan")
    page.select_option("#kind", "number")
    page.fill("#text_vi", "Năm nay bà con dự họp chi hội mấy lần?")
    page.fill("#min_value", "0")
    page.fill("#max_value", "50")
    page.get_by_role("button", name="Lưu câu hỏi").click()
    page.wait_for_url("**/manage/surveys/hailong-2026#q-so_lan")

    page.get_by_role("link", name="Thêm câu hỏi").click()
    page.fill("#code", "kenh_tin")
    page.select_option("#kind", "multi")
    page.fill("#text_vi", "Bà con nghe tin của Hội qua đâu?")
    for index, (code, label) in enumerate([("loa", "Loa thôn"), ("hop", "Họp"), ("zalo", "Zalo")]):
        page.fill(f"#options-{index}-code", code)
        page.fill(f"#options-{index}-label_vi", label)
    page.get_by_role("button", name="Lưu câu hỏi").click()
    page.wait_for_url("**/manage/surveys/hailong-2026#q-kenh_tin")

    page.get_by_role("button", name="Mở ngay").click()
    page.wait_for_url("**/manage/surveys/hailong-2026#questions")
    assert "Khảo sát đã mở" in page.locator(".flash").inner_text()
    assert page.console_errors == [] and page.blocked == []

    public = open_page("/s/hailong-2026", width=360, height=740)
    assert "Hội Nông dân xã" in public.locator("h1").inner_text()
    assert public.locator('input[name="q_hl_chamlo"]').count() == 5  # likert5 faces
    assert public.locator('input[name="q_tiepxuc"]').count() == 4  # single choice
    assert public.locator('input[name="q_gioithieu"]').count() == 11  # 0 to 10
    assert public.locator('input[name="q_so_lan"]').count() == 1  # number
    assert public.locator('input[name="q_kenh_tin"]').count() == 3  # choose several
    assert public.get_by_text("Năm nay bà con dự họp chi hội mấy lần?").is_visible()
    assert public.get_by_text("Zalo").count() == 1
    assert "Xem trước" not in public.content()
    assert public.evaluate("document.documentElement.scrollWidth") <= 360

    other = sign_in(open_page, "cb_phunu")
    refused = other.goto(officers.url + "/manage/surveys/hailong-2026")
    assert refused.status == 403
    listing = other.goto(officers.url + "/manage/surveys/")
    assert listing.status == 200 and "hailong-2026" not in other.content()
