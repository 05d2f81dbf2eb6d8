"""A person on a 360 px phone: from the poster's QR code to a receipt, and with no network."""

import io
import time

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from survey.core.extensions import db
from survey.demo.seed import seed_demo
from survey.models import ReceiptCode, Response

SURVEY = "hailong-nongdan-2025"
FACES = [
    "hl_chamlo",
    "hl_sinhke",
    "hl_langnghe",
    "hl_traloi",
    "hl_sinhhoat",
    "hl_phongtrao",
    "hl_chung",
]


@pytest.fixture
def demo(live_server):
    with live_server.app.app_context():
        seed_demo(seed=5, responses=100, password="browser-test-pass")
        db.session.commit()
        db.session.remove()
    return live_server


def responses(server):
    with server.app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(Response))
        finally:
            db.session.remove()


def answer_the_form(page):
    for code in FACES:
        page.locator(f'label.face:has(input[name="q_{code}"][value="4"])').click()
    page.get_by_text("1 đến 2 lần").click()
    page.get_by_text("Có", exact=True).click()


def test_from_the_poster_qr_code_to_a_receipt(demo, open_page):
    poster = open_page(f"/s/{SURVEY}/poster?u=thon2", width=360, height=740)
    image = Image.open(io.BytesIO(poster.locator(".qr img").screenshot()))
    decoded = zxingcpp.read_barcodes(image)
    assert len(decoded) == 1
    url = decoded[0].text
    assert url == f"{demo.url}/s/{SURVEY}?u=thon2"
    poster.context.close()

    page = open_page(url[len(demo.url) :], width=360, height=740)
    assert "Hội Nông dân" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    before = responses(demo)
    answer_the_form(page)
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url("**/done/**")
    receipt = page.locator(".receipt").inner_text()
    assert len(receipt) == 8
    assert "Ý kiến đã được ghi nhận" in page.locator("h1").inner_text()
    assert responses(demo) == before + 1
    with demo.app.app_context():
        assert db.session.get(ReceiptCode, receipt) is not None
        stored = db.session.scalar(sa.select(Response).order_by(Response.id.desc()).limit(1))
        assert stored.unit.code == "thon2" and stored.channel == "web"
        db.session.remove()
    assert page.console_errors == [] and page.blocked == []


def test_show_if_question_appears_only_when_it_applies(demo, open_page):
    page = open_page(f"/s/{SURVEY}?u=thon1", width=360, height=740)
    follow_up = page.locator("#q-ly_do")
    assert follow_up.is_hidden()
    page.locator('label.face:has(input[name="q_hl_chung"][value="2"])').click()
    assert follow_up.is_visible()
    page.locator('label.face:has(input[name="q_hl_chung"][value="5"])').click()
    assert follow_up.is_hidden()


def test_answers_wait_on_the_phone_without_network_then_go_once(demo, open_page):
    page = open_page(f"/s/{SURVEY}?u=thon3", width=360, height=740)
    before = responses(demo)
    answer_the_form(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Gửi ý kiến").click()
    status = page.locator("form .offline-status")
    status.wait_for(state="visible")
    assert "Đã lưu trên điện thoại, sẽ tự gửi khi có mạng" in status.inner_text()
    assert page.evaluate("window.surveyQueue.size()") == 1
    assert responses(demo) == before

    page.context.set_offline(False)
    deadline = time.monotonic() + 15
    while responses(demo) == before and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert responses(demo) == before + 1
    page.wait_for_function("() => window.surveyQueue.size() === 0")
    # Going out again (another reconnect, another visit) sends nothing twice.
    page.evaluate("window.surveyQueue.flush()")
    page.reload()
    page.wait_for_timeout(500)
    assert responses(demo) == before + 1


def test_answers_refused_while_the_server_is_busy_wait_on_the_phone_then_go_once(
    demo, open_page, monkeypatch
):
    """A 503 (the database restarting) keeps the answers on the phone, which sends them again
    when the server said to come back; they are counted once."""
    from survey.core import errors
    from tests.core.test_database_faults import database_down

    monkeypatch.setattr(errors, "RETRY_AFTER_SECONDS", 1)
    page = open_page(f"/s/{SURVEY}?u=thon3", width=360, height=740)
    before = responses(demo)
    answer_the_form(page)
    with demo.app.app_context():
        engine = db.engine
    with database_down(engine):
        page.get_by_role("button", name="Gửi ý kiến").click()
        status = page.locator("form .offline-status")
        status.wait_for(state="visible")
        assert "Máy chủ đang bận" in status.inner_text()
        assert page.evaluate("window.surveyQueue.size()") == 1
    deadline = time.monotonic() + 15
    while responses(demo) == before and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert responses(demo) == before + 1
    page.wait_for_function("() => window.surveyQueue.size() === 0")
    assert "đã được gửi" in page.locator(".queue-status").inner_text()
    page.reload()
    page.wait_for_timeout(500)
    assert responses(demo) == before + 1
