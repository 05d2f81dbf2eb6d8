"""The recordings of a survey's texts on a 360 px phone: the big button plays (the media element
reaches `playing`), one at a time, and after a first visit they play with no network."""

import pytest

from survey.core.extensions import db
from survey.models import SurveyAudio
from tests.factories import make_defined_survey
from tests.surveys.test_audio import wav_bytes

CODE = "nghe-2025"
AUDIO_CACHE = "survey-audio-v1"


@pytest.fixture
def spoken(live_server):
    """An open survey whose likert question and first option speak Vietnamese (WAV clips)."""
    import hashlib

    with live_server.app.app_context():
        survey = make_defined_survey(db, code=CODE)
        likert = next(q for q in survey.questions if q.kind == "likert5")
        option = next(q for q in survey.questions if q.kind == "single").options[0]
        for freq, columns, target in (
            (440.0, {"question_id": likert.id}, f"question:{likert.id}"),
            (660.0, {"option_id": option.id}, f"option:{option.id}"),
        ):
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
    return live_server


PLAYING = """() => {
  window.played = [];
  document.querySelectorAll('.speak audio').forEach((audio, i) => {
    audio.addEventListener('playing', () => window.played.push(i));
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
