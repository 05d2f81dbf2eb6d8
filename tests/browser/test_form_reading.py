"""The public form as a person reads it on a 360 px phone: question numbers that follow what is
shown, the same count in the progress, captions large enough to read, and after a refused send
the page opens at the list of what to fix, with or without JavaScript."""

import re

import pytest

from survey.core.extensions import db
from survey.demo.seed import seed_demo

SURVEY = "hailong-nongdan-2025"


@pytest.fixture
def demo(live_server):
    with live_server.app.app_context():
        seed_demo(seed=5, responses=60, password="browser-test-pass")
        db.session.commit()
        db.session.remove()
    return live_server


def numbers(page):
    """The question numbers on screen, as (n, total) pairs, in order."""
    texts = page.locator("fieldset.question:visible .q-num").all_inner_texts()
    return [tuple(int(x) for x in re.fullmatch(r"Câu (\d+)/(\d+)", t).groups()) for t in texts]


def test_numbers_and_progress_count_the_questions_shown(demo, open_page):
    page = open_page(f"/s/{SURVEY}?u=thon1", width=360, height=740)
    shown = page.locator("fieldset.question:visible").count()
    assert numbers(page) == [(n, shown) for n in range(1, shown + 1)]
    progress = page.locator(".progress-text")
    assert progress.inner_text() == f"Đã trả lời 0/{shown} câu"  # (the demo survey is long)
    # An answer that shows the follow-up question: one more, numbered in its place.
    page.locator('label.face:has(input[name="q_hl_chung"][value="2"])').click()
    assert page.locator("#q-ly_do").is_visible()
    assert numbers(page) == [(n, shown + 1) for n in range(1, shown + 2)]
    assert progress.inner_text() == f"Đã trả lời 1/{shown + 1} câu"
    assert page.console_errors == []


def test_likert_captions_are_at_least_14_px(demo, open_page):
    page = open_page(f"/s/{SURVEY}?u=thon1", width=360, height=740)
    sizes = page.eval_on_selector_all(
        ".face-word", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 14
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def summary_in_view(page):
    return page.evaluate(
        """() => { const r = document.getElementById('form-errors').getBoundingClientRect();
                   return r.top >= -1 && r.top < window.innerHeight / 2; }"""
    )


def test_a_refused_send_opens_at_what_to_fix(demo, open_page):
    page = open_page(f"/s/{SURVEY}?u=thon1", width=360, height=740)
    page.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id == 'form-errors'"
    )
    assert summary_in_view(page)
    first = page.locator("#form-errors li a").first
    assert first.inner_text().strip() != "" and not first.inner_text().startswith("Câu")


def test_without_javascript_too(demo, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="vi-VN"
    )
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(demo.url) else route.abort()
        ),
    )
    page.goto(f"{demo.url}/s/{SURVEY}?u=thon1")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#form-errors")
    assert page.url.endswith("#form-errors")
    assert summary_in_view(page)
    context.close()
