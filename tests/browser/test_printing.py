"""What gets printed, in Chromium: slips ten to an A4 sheet (counted in the PDF Chromium
prints), the poster on a 360 px phone, and the print button and warnings on screen only."""

import re

import pytest

from survey.core.extensions import db
from tests.factories import make_defined_survey, make_organization, make_unit, make_user

PASSWORD = "a-long-password"
QUESTIONS = [{"code": "hl", "kind": "likert5", "required": True, "text": {"vi": "Hài lòng?"}}]


@pytest.fixture
def member_survey(live_server):
    with live_server.app.app_context():
        org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
        make_unit(db, code="thon1", name="Thôn 1")
        make_user(db, username="office", role="admin", password=PASSWORD)
        code = make_defined_survey(db, questions=QUESTIONS, org=org, audience="member").code
        db.session.commit()
        db.session.remove()
    return code


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def printed_slips(live_server, open_page, code, count):
    page = open_page("/login")
    page.fill("#username", "office")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    page.goto(f"{live_server.url}/manage/paper/{code}/slips")
    page.fill("#count", str(count))
    page.get_by_role("button", name="Tạo phiếu mời").click()
    page.wait_for_selector(".slip")
    return page


@pytest.mark.parametrize("count, sheets", [(10, 1), (11, 2), (30, 3)])
def test_slips_print_ten_to_an_a4_sheet(live_server, open_page, member_survey, count, sheets):
    page = printed_slips(live_server, open_page, member_survey, count)
    assert page.locator(".slip").count() == count
    # On screen: the print button (the script showed it) and the way back; not on paper.
    # The deferred script shows it after the page is parsed: waited for, up to the timeout.
    page.get_by_role("button", name="In", exact=True).wait_for(state="visible")
    assert page.locator(".local-warning").is_visible()  # the live server is 127.0.0.1
    page.emulate_media(media="print")
    assert not page.locator(".print-toolbar").is_visible()
    assert not page.locator(".local-warning").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf_pages(pdf) == sheets
    assert page.blocked == []


def test_the_poster_fits_a_phone_and_prints_without_its_tools(
    live_server, open_page, member_survey
):
    page = open_page(f"/s/{member_survey}/poster?u=thon1", width=360, height=740)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".qr img").bounding_box()["width"] <= 360
    # The deferred script shows it after the page is parsed: waited for, up to the timeout.
    page.get_by_role("button", name="In", exact=True).wait_for(state="visible")
    assert page.get_by_role("link", name="← Mở phiếu khảo sát").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".print-toolbar").is_visible()
    assert pdf_pages(page.pdf(prefer_css_page_size=True)) == 1
    assert page.console_errors == [] and page.blocked == []
