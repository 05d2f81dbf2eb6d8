"""Script in every free text a user can write (organization and village names, a survey's title
and question, a citizen's feedback and its published reply) shows as text on every page that
shows it: checked in Chromium, where nothing of it may become an element or run."""

from datetime import datetime, timezone

import pytest

from survey.extensions import db
from survey.models import FeedbackItem
from survey.responses import submit_response
from tests.factories import make_indicator, make_organization, make_survey, make_unit, make_user

PAYLOAD = '"><img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'

# Elements the payload would make if it were not escaped; the pages make none of their own.
INJECTED = """() => ({
  ran: window.__xss === 1,
  elements: document.querySelectorAll(
    'img[src="x"], [onerror], script:not([src]):not([type="application/json"])').length,
  shown: document.body.innerText.includes('<script>window.__xss=1</script>'),
})"""


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        org = make_organization(db, code="nongdan", name="Hội " + PAYLOAD, short_name=PAYLOAD)
        unit = make_unit(db, code="thon1", name="Thôn " + PAYLOAD)
        survey = make_survey(
            db,
            [{"code": "hl", "kind": "likert5", "criterion": "satisfaction"}],
            code="ks",
            title={"vi": "Khảo sát " + PAYLOAD},
            status="open",
        )
        survey.questions[0].text = {"vi": "Câu hỏi " + PAYLOAD}
        survey.organizations.append(org)
        make_indicator(db, org, year=2025)
        make_user(db, username="thuongtruc", role="committee")
        db.session.commit()
        for i in range(6):
            submit_response(survey, {"hl": 4}, submission_uid=f"u{i}", unit_id=unit.id)
        db.session.add(
            FeedbackItem(
                organization=org,
                survey=survey,
                unit=unit,
                text="Ý kiến " + PAYLOAD,
                status="answered",
                public_reply="Trả lời " + PAYLOAD,
                published=True,
                received_at=datetime(2025, 10, 2, tzinfo=timezone.utc),
                answered_at=datetime(2025, 10, 5, tzinfo=timezone.utc),
            )
        )
        db.session.commit()
        item_id = db.session.scalar(db.select(FeedbackItem.id))
        db.session.remove()
    live_server.item_id = item_id
    return live_server


def test_no_free_text_runs_or_becomes_markup_anywhere(world, open_page):
    page = open_page("/login")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#username", "thuongtruc")
    page.fill("#password", "a-long-password")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    for path in (
        "/",
        "/s/ks",
        "/feedback",
        "/manage/feedback/",
        f"/manage/feedback/{world.item_id}",
        "/manage/surveys/",
        "/manage/ratings/2025",
        "/dashboard/?year=2025",
        "/dashboard/org/nongdan?year=2025",
        "/dashboard/survey/ks",
        "/dashboard/report/2025.html",
    ):
        page.goto(world.url + path)
        page.wait_for_load_state("load")
        found = page.evaluate(INJECTED)
        assert not found["ran"] and found["elements"] == 0, (path, found)
        assert found["shown"], (path, "the text should show, as text")
    assert dialogs == []
