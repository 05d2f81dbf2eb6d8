"""Paper entry in Chromium: after a sheet is saved, the next number is suggested and the cursor
waits after it, so the officer types on."""

import pytest

from survey.core.extensions import db
from tests.factories import make_defined_survey, make_unit, make_user

PASSWORD = "a-long-password"


@pytest.fixture
def village_officer(live_server):
    with live_server.app.app_context():
        unit = make_unit(db, code="thon1", name="Thôn 1")
        make_user(db, username="thon1", role="unit_officer", unit=unit, password=PASSWORD)
        code = make_defined_survey(db).code
        db.session.commit()
        db.session.remove()
    return code


def test_the_cursor_waits_after_the_suggested_sheet_number(live_server, open_page, village_officer):
    page = open_page("/login")
    page.fill("#username", "thon1")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    page.goto(f"{live_server.url}/manage/paper/{village_officer}?sheet=12")
    sheet = page.locator('input[name="sheet"]')
    assert sheet.evaluate("el => el === document.activeElement")
    assert sheet.evaluate("el => [el.selectionStart, el.selectionEnd, el.value.length]") == [
        2,
        2,
        2,
    ]
    assert "Hôm nay đã nhập 0 phiếu" in page.locator(".sheet-counts").inner_text()
    assert page.console_errors == [] and page.blocked == []
