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


KINDS = [  # (kind, the question, its options as the officer types them)
    ("likert5", "Bà con có hài lòng với cán bộ Hội không?", []),
    ("single", "Bà con nghe tin của Hội chủ yếu qua đâu?", ["Loa thôn", "Họp thôn", "Zalo"]),
    ("multi", "Hội đã giúp bà con những việc gì?", ["Vay vốn", "Giống cây trồng", "Tập huấn"]),
    ("yesno", "Năm nay bà con có dự họp chi hội không?", []),
    ("number", "Năm nay bà con dự họp chi hội mấy lần?", []),
    ("nps", "Bà con có giới thiệu người quen vào Hội không? (0 đến 10)", []),
    ("text", "Bà con muốn góp ý thêm điều gì?", []),
]


def test_an_officer_builds_a_survey_typing_only_vietnamese_and_the_public_sees_it(
    officers, open_page
):
    page = sign_in(open_page, "cb_nongdan")
    page.goto(officers.url + "/manage/surveys/new")
    page.get_by_label("Khảo sát trống").check()
    page.fill("#title_vi", "Khảo sát thử của Hội Nông dân")
    page.fill("#year", "2026")
    page.get_by_role("button", name="Tạo khảo sát").click()
    page.wait_for_url("**/manage/surveys/khao-sat-thu-cua-hoi-nong-dan-2026")
    code = page.url.rsplit("/", 1)[1]
    assert "Khảo sát thử của Hội Nông dân" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    for kind, text, labels in KINDS:  # no code typed anywhere
        page.get_by_role("link", name="Thêm câu hỏi", exact=True).click()
        page.select_option("#kind", kind)
        page.fill("#text_vi", text)
        if kind == "number":
            page.fill("#min_value", "0")
            page.fill("#max_value", "50")
        for index, label in enumerate(labels):
            page.fill(f"#options-{index}-label_vi", label)
        page.get_by_role("button", name="Lưu câu hỏi").click()
        page.wait_for_url(f"**/manage/surveys/{code}#q-*")
        assert "Đã lưu câu hỏi" in page.locator(".flash").inner_text()
    shown = page.locator("#questions .q-text").all_inner_texts()
    assert shown == [text for _kind, text, _labels in KINDS]

    # A question added after the first one goes there, not after the closing free text.
    page.get_by_role("link", name="Thêm câu hỏi sau câu này").first.click()
    page.select_option("#kind", "yesno")
    page.fill("#text_vi", "Bà con có biết cán bộ Hội ở thôn mình không?")
    page.get_by_role("button", name="Lưu câu hỏi").click()
    page.wait_for_url(f"**/manage/surveys/{code}#q-*")
    shown = page.locator("#questions .q-text").all_inner_texts()
    assert shown[1] == "Bà con có biết cán bộ Hội ở thôn mình không?"
    assert shown[-1] == KINDS[-1][1] and len(shown) == len(KINDS) + 1

    # The preview leads back to the editor.
    page.get_by_role("link", name="Xem trước như người dân thấy").click()
    page.get_by_role("link", name="Quay lại trang soạn khảo sát").click()
    page.wait_for_url(f"**/manage/surveys/{code}#questions")

    # Opening asks first, saying what will happen.
    page.get_by_role("button", name="Mở ngay").click()
    assert "Người dân sẽ thấy khảo sát này ngay" in page.locator(".notice").inner_text()
    page.get_by_role("button", name="Đồng ý, mở ngay").click()
    page.wait_for_url(f"**/manage/surveys/{code}*")
    assert "Khảo sát đã mở" in page.locator(".flash").inner_text()
    assert page.console_errors == [] and page.blocked == []

    public = open_page(f"/s/{code}", width=360, height=740)
    assert "Khảo sát thử của Hội Nông dân" in public.locator("h1").inner_text()
    assert public.locator("fieldset.question").count() == len(KINDS) + 1
    assert public.locator(".kind-likert5 input[type=radio]").count() == 5
    assert public.locator(".kind-single input[type=radio]").count() == 3
    assert public.locator(".kind-multi input[type=checkbox]").count() == 3
    assert public.locator(".kind-yesno input[type=radio]").count() == 4  # two yes/no
    assert public.locator(".kind-nps input[type=radio]").count() == 11
    assert public.locator(".kind-number input").count() == 1
    assert public.locator(".kind-text textarea").count() == 1
    assert public.get_by_text("Giống cây trồng").is_visible()
    assert "Xem trước" not in public.content()
    assert public.evaluate("document.documentElement.scrollWidth") <= 360

    other = sign_in(open_page, "cb_phunu")
    refused = other.goto(officers.url + f"/manage/surveys/{code}")
    assert refused.status == 403
    listing = other.goto(officers.url + "/manage/surveys/")
    assert listing.status == 200 and "Khảo sát thử của Hội Nông dân" not in other.content()
