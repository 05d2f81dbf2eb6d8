"""Chart.js on the CDN and no Internet (every request outside the local server blocked): each
chart of the overview says, in Vietnamese, that it cannot be drawn, instead of an empty box."""

import pytest

from survey.core import chartjs
from survey.core.extensions import db
from tests.reports.test_dashboard_views import commune


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        commune(db)
        db.session.remove()
    return live_server


@pytest.mark.parametrize("chartjs_url", [chartjs.CDN_URL], ids=["cdn"])
def test_each_chart_says_it_cannot_be_drawn_when_chartjs_does_not_load(
    world, open_page, chartjs_url
):
    page = open_page("/login")
    page.fill("#username", "thuongtruc")
    page.fill("#password", "a-long-password")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    page.goto(world.url + "/dashboard/?year=2025")
    page.wait_for_selector(".chart-unavailable", state="visible")
    notes = page.locator(".chart-unavailable")
    assert notes.count() == 2
    for note in notes.all():
        assert note.is_visible()
        assert note.inner_text().startswith("Không vẽ được biểu đồ")
    assert page.locator(".chart-box").evaluate_all("boxes => boxes.map(b => b.hidden)") == [
        True,
        True,
    ]
    assert page.blocked == [chartjs.CDN_URL]
