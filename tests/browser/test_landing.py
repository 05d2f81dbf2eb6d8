"""The landing page in a real browser, on a phone-sized screen."""

from survey.core.extensions import db
from survey.demo.seed import seed_demo


def test_landing_page_shows_the_vietnamese_title_and_open_surveys(live_server, open_page):
    with live_server.app.app_context():
        seed_demo(seed=3, responses=200, password="browser-test-pass")
        db.session.commit()
        db.session.remove()

    page = open_page("/", width=360, height=740)

    assert page.locator("h1").inner_text() == "Lắng nghe ý kiến Nhân dân"
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.locator(".card").count() > 0
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.console_errors == []
    assert page.blocked == []

    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text() == "Hearing the people's voice"
