"""The recordings of a survey's texts on a 360 px phone: the big button plays (the media element
reaches `playing`), one at a time, and after a first visit they play with no network."""

import shutil

import pytest
import sqlalchemy as sa

from survey.core.extensions import db
from survey.models import SurveyAudio
from tests.factories import make_defined_survey
from tests.surveys.test_audio import wav_bytes

CODE = "nghe-2025"
AUDIO_CACHE = "survey-audio-v1"


def clips_for(survey, *, choice_question=False):
    """(frequency, columns, target) of the clips to add: the likert question's, the first
    option's, and with `choice_question` the choice question's own."""
    likert = next(q for q in survey.questions if q.kind == "likert5")
    choice = next(q for q in survey.questions if q.kind == "single")
    option = choice.options[0]
    yield 440.0, {"question_id": likert.id}, f"question:{likert.id}"
    yield 660.0, {"option_id": option.id}, f"option:{option.id}"
    if choice_question:
        yield 550.0, {"question_id": choice.id}, f"question:{choice.id}"


def add_clips(server, code, **kwargs):
    """An open survey `code` whose texts speak Vietnamese (WAV clips, see clips_for)."""
    import hashlib

    with server.app.app_context():
        survey = make_defined_survey(db, code=code)
        survey.audio_autoplay = kwargs.pop("autoplay", False)
        for freq, columns, target in list(clips_for(survey, **kwargs)):
            data = wav_bytes(seconds=1.5, freq=freq)
            db.session.add(
                SurveyAudio(
                    survey_id=survey.id,
                    target=target,
                    lang="vi",
                    content_type="audio/wav",
                    size=len(data),
                    digest=hashlib.sha256(data).hexdigest(),
                    data=data,
                    **columns,
                )
            )
        db.session.commit()
        db.session.remove()


@pytest.fixture
def spoken(live_server):
    """An open survey whose likert question and first option speak Vietnamese."""
    add_clips(live_server, CODE)
    return live_server


PLAYING = """() => {
  window.played = [];
  window.ended = [];
  document.querySelectorAll('.speak audio').forEach((audio, i) => {
    audio.addEventListener('playing', () => window.played.push(i));
    audio.addEventListener('ended', () => window.ended.push(i));
  });
}"""
KEPT = f"""async () => {{
  const audio = await caches.open('{AUDIO_CACHE}');
  const pages = await caches.open('survey-v1');
  return (await audio.keys()).length === 2 && !!(await pages.match(location.href));
}}"""


def test_the_button_plays_one_at_a_time_and_offline_after_a_first_visit(spoken, open_page):
    page = open_page(f"/s/{CODE}", width=360, height=740)
    buttons = page.locator(".speak-button")
    buttons.first.wait_for(state="visible")
    assert buttons.count() == 2
    # The browser's own players are there for a page without the script; hidden by it.
    assert page.locator(".speak audio").evaluate_all("els => els.map(e => e.hidden)") == [
        True,
        True,
    ]
    assert buttons.first.get_attribute("aria-label").startswith("Nghe: ")
    page.evaluate(PLAYING)
    buttons.first.click()
    page.wait_for_function("() => window.played.includes(0)")
    assert "playing" in buttons.first.get_attribute("class")
    # The option's button: the question's recording stops.
    buttons.nth(1).click()
    page.wait_for_function("() => window.played.includes(1)")
    page.wait_for_function("() => document.querySelectorAll('.speak audio')[0].paused")
    assert "playing" not in buttons.first.get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The service worker kept the recordings and the page itself: no network, it speaks.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT)
    page.context.set_offline(True)
    page.reload()
    buttons = page.locator(".speak-button")
    buttons.first.wait_for(state="visible")
    page.evaluate(PLAYING)
    buttons.first.click()
    page.wait_for_function("() => window.played.includes(0)")
    page.context.set_offline(False)
    assert page.console_errors == [] and page.blocked == []


def test_without_the_script_the_browsers_player_is_there(spoken, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(spoken.url + f"/s/{CODE}")
    players = page.locator(".speak audio")
    assert players.count() == 2
    assert players.first.get_attribute("controls") is not None
    assert players.first.get_attribute("preload") == "none"
    assert page.locator(".speak-button").count() == 0
    context.close()


def test_with_autoplay_a_question_speaks_as_it_comes_into_view_once_play_was_pressed(
    live_server, open_page
):
    add_clips(live_server, "tu-phat-2025", autoplay=True, choice_question=True)
    page = open_page("/s/tu-phat-2025", width=360, height=740)
    page.locator(".speak-button").first.wait_for(state="visible")
    page.evaluate(PLAYING)
    # Before any touch nothing plays by itself, even in view.
    choice = page.locator("fieldset.kind-single")
    choice.scroll_into_view_if_needed()
    page.locator("fieldset.kind-likert5").scroll_into_view_if_needed()
    assert page.evaluate("window.played") == []
    page.locator(".speak-button").first.click()  # the likert question's: a touch
    page.wait_for_function("() => window.played.includes(0)")
    page.wait_for_function("() => window.ended.includes(0)")
    choice.evaluate("f => f.scrollIntoView({block: 'start'})")
    # The choice question's own recording (not its option's) starts by itself.
    index = page.locator(".speak audio").evaluate_all(
        "els => els.findIndex(e => e.closest('fieldset.kind-single') && "
        "e.parentNode.parentNode.tagName === 'FIELDSET')"
    )
    page.wait_for_function(f"() => window.played.includes({index})")
    assert page.console_errors == [] and page.blocked == []


def test_an_officer_records_listens_and_keeps_a_recording(live_server):
    """The builder's recorder with Chromium's fake microphone (a tone): record, stop, keep; the
    page comes back with the recording kept for that text and language."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.factories import make_organization, make_user

    with live_server.app.app_context():
        org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
        make_user(db, username="cb", role="org_officer", organization=org, password="pw-123456789")
        survey = make_defined_survey(db, org=org, code="ghi-2025")
        target = f"question:{survey.questions[0].id}"
        db.session.remove()
    fake_microphone = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake_microphone
        )
        context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN")
        context.grant_permissions(["microphone"], origin=live_server.url)
        page = context.new_page()
        errors = []
        page.on(
            "console",
            # The site has no favicon; a browser of its own (not open_page's) asks for one.
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.location["url"].endswith("/favicon.ico")
                else None
            ),
        )
        page.goto(live_server.url + "/login")
        page.fill("#username", "cb")
        page.fill("#password", "pw-123456789")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url("**/manage/**")
        page.goto(live_server.url + "/manage/surveys/ghi-2025/audio")
        cell = page.locator(f'form.audio-upload:has(input[value="{target}"])').first
        recorder = cell.locator("xpath=following-sibling::div[@class='recorder']")
        recorder.get_by_role("button", name="Ghi âm").click()
        page.wait_for_function(
            "el => Number(el.getAttribute('data-parts') || 0) >= 4", arg=recorder.element_handle()
        )
        recorder.get_by_role("button", name="Dừng").click()
        recorder.get_by_role("button", name="Giữ bản ghi âm này").click()
        page.wait_for_selector(".flash")
        assert "Đã lưu bản ghi âm (Tiếng Việt)" in page.locator(".flash").inner_text()
        assert errors == []
        chromium.close()
    with live_server.app.app_context():
        (clip,) = db.session.scalars(sa.select(SurveyAudio)).all()
        assert (clip.target, clip.lang) == (target, "vi")
        # Chromium records Opus in WebM; ffmpeg, where it is, makes it an MP3.
        expected = "audio/mpeg" if shutil.which("ffmpeg") else "audio/webm"
        assert clip.content_type == expected and clip.size > 1000
        db.session.remove()
