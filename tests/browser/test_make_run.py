"""The dashboards draw every chart after `make run`, in an office without Internet.

`make run` is started as a person starts it (its own instance folder, nothing configured): it
upgrades the database, seeds the demo commune and serves with gunicorn. Chromium, refusing
every request that is not to that server, signs in as the Standing Committee and opens every
dashboard page reachable from /dashboard/: each chart must be painted by the Chart.js the app
serves itself, with nothing asked of the Internet and no console error.
"""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_dashboard import PAINTED, VENDORED

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.skipif(
        not VENDORED.exists(), reason="Chart.js is not in static/vendor/: run `make vendor`"
    ),
    pytest.mark.skipif(
        bool(os.environ.get("TEST_DATABASE_URL")),
        reason="run once, in the SQLite pass: `make run` serves its own SQLite database",
    ),
    pytest.mark.skipif(
        not (ROOT / ".venv" / "bin" / "gunicorn").exists(),
        reason="no .venv with gunicorn in the checkout: `make run` needs `make install` first",
    ),
]
DOWNLOADS = re.compile(r"\.(docx|xlsx|csv|html|png|svg)$|/export")
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url, process, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run stopped with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (a loopback URL)
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"make run did not answer {url} within {seconds} s")


@pytest.fixture
def made_run(tmp_path):
    """`make run` on a free port with its own instance folder; yields (url, sign-ins)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SURVEY_"))}
    env["SURVEY_INSTANCE_PATH"] = str(tmp_path / "instance")
    log = (tmp_path / "make-run.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (a fixed command line)
        ["make", "run", f"PORT={port}", "HOST=127.0.0.1"],  # noqa: S607
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/healthz", process)
        sign_ins = (tmp_path / "instance" / "demo-sign-ins.txt").read_text(encoding="utf-8")
        passwords = dict(re.findall(r"^\s+(\S+)\s+\S+\s+(\S+)$", sign_ins, re.MULTILINE))
        yield url, passwords
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_every_dashboard_chart_is_drawn_after_make_run(made_run, browser):
    url, passwords = made_run
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    blocked, errors = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def only_local(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(url + "/login")
    page.fill("#username", "thuongtruc")
    page.fill("#password", passwords["thuongtruc"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")

    seen, queue, drawn, newest = set(), ["/dashboard/"], {}, None
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        for _try in range(90):  # "Đang tính số liệu" while the figures are computed
            page.goto(url + path)
            if page.locator("meta[http-equiv=refresh]").count() == 0:
                break
            page.wait_for_timeout(1000)
        else:
            raise AssertionError(f"{path} still computing after 90 tries")
        links = page.eval_on_selector_all(
            "a[href^='/dashboard/']", "as => as.map(a => a.getAttribute('href'))"
        )
        # The newest year's pages: earlier years' are drawn by the same templates.
        newest = newest or max(int(y) for link in links for y in YEAR.findall(link))
        for href in links:
            link = href.split("#", 1)[0]
            years = {int(y) for y in YEAR.findall(link)}
            if DOWNLOADS.search(link.split("?", 1)[0]) or link in seen or years - {newest}:
                continue
            queue.append(link)
        if page.locator("canvas[data-chart]").count() == 0:
            continue
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
        page.wait_for_timeout(300)  # a chart in a section just opened is drawn on opening
        painted = dict(page.evaluate(PAINTED))
        assert painted and all(n > 500 for n in painted.values()), (path, painted)
        assert page.locator(".chart-unavailable:visible").count() == 0, path
        drawn[path] = sorted(painted)
    context.close()
    assert blocked == [] and errors == []
    assert "/dashboard/" in drawn and len(drawn) >= 3, drawn
    assert any(p.startswith("/dashboard/survey/") for p in drawn), drawn
    assert any(p.startswith("/dashboard/org/") for p in drawn), drawn
