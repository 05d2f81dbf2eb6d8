"""The dashboards draw every chart (Chart.js served from static/vendor/, every other request
blocked), with no console error, on a desktop and on a 360-pixel phone; with no CHARTJS_URL
configured, that copy is the one pages load."""

from pathlib import Path

import pytest

from survey.core.extensions import db
from tests.reports.test_dashboard_views import commune

VENDORED = Path(__file__).resolve().parents[2] / "static" / "vendor" / "chart.umd.min.js"
pytestmark = pytest.mark.skipif(
    not VENDORED.exists(), reason="Chart.js is not in static/vendor/: run `make vendor`"
)

# How many pixels each chart painted: a blank canvas paints none.
PAINTED = """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i]) painted++; }
  return [c.id, painted];
})"""


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        commune(db)
        db.session.remove()
    return live_server


def signed_in(open_page, width):
    page = open_page("/login", width=width, height=800)
    page.fill("#username", "thuongtruc")
    page.fill("#password", "a-long-password")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    return page


def charts_drawn(page, expected, width):
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    painted = dict(page.evaluate(PAINTED))
    assert set(painted) == set(expected)
    assert all(n > 500 for n in painted.values()), painted
    assert page.console_errors == []
    assert page.blocked == []
    # The page is as wide as the screen: nothing runs off to the side
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", [1280, 360])
def test_every_dashboard_chart_is_drawn(world, open_page, width):
    page = signed_in(open_page, width)
    page.goto(world.url + "/dashboard/?year=2025")
    charts_drawn(page, {"trend", "criteria"}, width)
    page.goto(world.url + "/dashboard/org/nongdan?year=2025")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_timeout(300)  # the opened section's chart is sized and drawn on opening
    charts_drawn(page, {"criteria", "likert-1"}, width)
    page.goto(world.url + "/dashboard/survey/hailong-2025")
    charts_drawn(page, {"timeline", "likert"}, width)


@pytest.mark.parametrize("chartjs_url", [None], ids=["unset"])
def test_overview_charts_draw_with_the_default_configuration(world, open_page, chartjs_url):
    """CHARTJS_URL not configured and the copy in static/vendor/: no CDN is needed."""
    page = signed_in(open_page, 1280)
    page.goto(world.url + "/dashboard/?year=2025")
    assert page.locator("script[src='/static/vendor/chart.umd.min.js']").count() == 1
    charts_drawn(page, {"trend", "criteria"}, 1280)
