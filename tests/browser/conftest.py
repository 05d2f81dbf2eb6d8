"""Chromium through Playwright: Debian's /usr/bin/chromium, every non-local request blocked."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    reason = None
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (install it with: apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "Playwright is not installed (pip install -e '.[test]')"
    for item in items:
        if "browser" in item.nodeid.split("::")[0].split("/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def chartjs_url():
    """The live server's CHARTJS_URL (a test parametrizes it; None: the default)."""
    return "/static/vendor/chart.umd.min.js"


@pytest.fixture
def live_server(make_app, chartjs_url):
    """The app served over HTTP on a free loopback port, in a background thread."""
    app = make_app(CHARTJS_URL=chartjs_url)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = server.url  # what QR codes and posters encode
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def browser():
    """A headless Chromium for one test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(path, width=...) -> a page on the live server; `page.console_errors` lists
    console errors and `page.blocked` the non-local requests that were refused."""
    contexts = []

    def opener(path="/", width=1280, height=900, locale="vi-VN"):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, has_touch=width < 600
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.blocked = []
        page.on(
            "console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None
        )

        def only_local(route):
            if route.request.url.startswith(live_server.url):
                route.continue_()
            else:
                page.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_local)
        page.goto(live_server.url + path)
        return page

    yield opener
    for context in contexts:
        context.close()
