"""Script in every free text a user can write shows as text on every page that shows it:
checked in Chromium, where nothing of it may become an element or run.

The texts: organization, village and commune names, the district and province, the public
address, a survey's title and introduction, its questions, their help and their options' labels,
text answers (typed on the web and on paper), feedback, its published reply and the body it was
forwarded to, annual figures' notes, officers' full names and usernames, the rule set's name and
title, the reason a year was finalized again, and the audit log's record of every one of them.
Each carries its own prefix, so each page is also checked to show the texts it should.
"""

import csv
import io
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from survey.accounts import officers
from survey.commune import directory, settings
from survey.core.extensions import db
from survey.feedback.inbox import FeedbackChange, apply_change
from survey.indicators.figures import save_indicator
from survey.models import FeedbackItem, Organization, Unit
from survey.paper.entry import check_sheet, enter_sheet, sheet_label
from survey.ratings import rulesets
from survey.ratings.finalization import finalize_year
from survey.surveys.definitions import survey_from_definition
from tests.factories import make_indicator, submit_and_commit

PAYLOAD = '"><img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
# Where a column holds 64 characters at most (usernames, the rule set's name).
SHORT_PAYLOAD = "<img src=x onerror=window.__xss=1>"
# A public address the settings could hold: no spaces, no query.
URL_PAYLOAD = 'https://x.example/"><svg/onload=window.__xss=1>'

# Each free text, as stored: its own prefix, then the payload.
ORG = "Hội " + PAYLOAD
ORG_SHORT = PAYLOAD
UNIT = "Thôn " + PAYLOAD
TITLE = "Khảo sát " + PAYLOAD
DESCRIPTION = "Giới thiệu " + PAYLOAD
QUESTION = "Câu hỏi " + PAYLOAD
HELP = "Hướng dẫn " + PAYLOAD
OPTION = "Lựa chọn " + PAYLOAD
ANSWER = "Góp ý " + PAYLOAD
FEEDBACK = "Ý kiến " + PAYLOAD
REPLY = "Trả lời " + PAYLOAD
FORWARDED = "UBND " + PAYLOAD
NOTE = "Ghi chú " + PAYLOAD
FULL_NAME = "Cán bộ " + PAYLOAD
USERNAME = SHORT_PAYLOAD
REASON = "Lý do " + PAYLOAD
COMMUNE = "xã " + PAYLOAD
DISTRICT = "huyện " + PAYLOAD
PROVINCE = "tỉnh " + PAYLOAD
RULES_NAME = SHORT_PAYLOAD
RULES_TITLE = "Quy chế " + PAYLOAD
PAPER_FIRST = "Phiếu giấy " + PAYLOAD
PAPER_SECOND = "Phiếu giấy gõ lại " + PAYLOAD
MEMBER_TITLE = "Phiếu hội viên " + PAYLOAD
CLOSED_TITLE = "Đã đóng " + PAYLOAD
PLACE = (COMMUNE, DISTRICT, PROVINCE)  # the header of every page

# What the payloads would make if they were not escaped; the pages make none of their own.
# `missing`: the expected texts that are not on the page, as text or as a form field's value.
INJECTED = """(expected) => {
  const texts = [document.title, document.body.textContent,
    ...Array.from(document.querySelectorAll('input, textarea'), (e) => e.value)].join('\\n');
  return {
    ran: window.__xss === 1,
    elements: document.querySelectorAll(
      'img[src="x"], [onerror], [onload], script:not([src]):not([type="application/json"])'
    ).length,
    missing: expected.filter((text) => !texts.includes(text)),
  };
}"""


def definition(code, title, audience="public", questions=None):
    """A survey about the organization with every free text of a survey in it."""
    return {
        "code": code,
        "audience": audience,
        "topic": "satisfaction" if audience == "public" else "participation",
        "year": 2025,
        "status": "open",
        "title": {"vi": title},
        "description": {"vi": DESCRIPTION},
        "organizations": ["nongdan"],
        "questions": questions
        or [
            {
                "code": "hl",
                "kind": "likert5",
                "criterion": "satisfaction",
                "required": True,
                "text": {"vi": QUESTION},
                "help": {"vi": HELP},
            },
            {
                "code": "kenh",
                "kind": "single",
                "text": {"vi": "Kênh nào?"},
                "options": [
                    {"code": "a", "label": {"vi": OPTION}},
                    {"code": "b", "label": {"vi": "Họp thôn"}},
                ],
            },
            {
                "code": "y_kien",
                "kind": "text",
                "feedback": True,
                "organization": "nongdan",
                "text": {"vi": "Ý kiến gửi hội"},
            },
            {"code": "gop_y", "kind": "text", "text": {"vi": "Góp ý khác"}},
        ],
    }


@pytest.fixture
def world(live_server):
    """A commune where every free text holds the payload, written the way users write them:
    settings, rule set, accounts, organization and village through their forms' functions,
    a survey from its definition, answers on the web and on paper, feedback handled, figures
    noted, the year finalized twice. Each leaves its audit entry."""
    with live_server.app.app_context():
        settings.save_settings(
            {
                "COMMUNE_NAME": COMMUNE,
                "DISTRICT_NAME": DISTRICT,
                "PROVINCE_NAME": PROVINCE,
                "PUBLIC_BASE_URL": URL_PAYLOAD,
            }
        )
        rulesets.save_override(f"name = {RULES_NAME!r}\ntitle = {RULES_TITLE!r}", 2025)
        org = directory.save_organization(
            None,
            {
                "code": "nongdan",
                "name": ORG,
                "short_name": ORG_SHORT,
                "position": 1,
                "members_count": 100,
            },
        )
        unit = directory.save_village(
            None,
            {
                "code": "thon1",
                "name": UNIT,
                "adult_population": 500,
                "households": 120,
                "position": 1,
            },
        )
        admin = officers.create_user(
            username="vanphong", role="admin", password="a-long-password", full_name=FULL_NAME
        )
        typist = officers.create_user(
            username=USERNAME, role="admin", password="a-long-password", full_name=FULL_NAME
        )
        officers.create_user(
            username="thuongtruc", role="committee", password="a-long-password", full_name="TT"
        )
        officers.create_user(
            username="canbohoi",
            role="org_officer",
            password="a-long-password",
            full_name=FULL_NAME,
            organization=org,
        )
        survey = survey_from_definition(definition("ks", TITLE))
        survey.double_entry = True
        survey_from_definition(
            definition(
                "hoivien",
                MEMBER_TITLE,
                audience="member",
                questions=[{"code": "hl", "kind": "likert5", "text": {"vi": QUESTION}}],
            )
        )
        closed = definition("dadong", CLOSED_TITLE, questions=[definition("x", "")["questions"][0]])
        survey_from_definition(closed | {"status": "closed"})
        figures = make_indicator(db, org, year=2025)
        db.session.commit()

        receipts = [
            submit_and_commit(
                survey,
                {"hl": 4, "kenh": "a", "y_kien": FEEDBACK, "gop_y": ANSWER},
                submission_uid=f"u{i}",
                unit_id=unit.id,
            ).code
            for i in range(6)
        ]
        first, second = db.session.scalars(sa.select(FeedbackItem).limit(2)).all()
        for item in (first, second):
            item.received_at = datetime(2025, 10, 2, tzinfo=timezone.utc)
        apply_change(first, admin, FeedbackChange(None, "answered", "", REPLY, True))
        apply_change(second, typist, FeedbackChange(None, "forwarded", FORWARDED, "", False))
        save_indicator(org, 2025, {"note": NOTE}, user=admin)
        for typed, who in ((PAPER_FIRST, admin), (PAPER_SECOND, typist)):
            answers, errors = check_sheet(survey, {"hl": "3", "gop_y": typed})
            assert not errors
            enter_sheet(survey, unit, sheet_label(unit, 1), answers, who)
        db.session.commit()
        finalize_year(2025, admin)
        figures.activities_held -= 1  # the figures change: finalized again, with the reason
        db.session.commit()
        finalize_year(2025, admin, reason=REASON)
        db.session.commit()
        item_ids = {"answered": first.id, "forwarded": second.id}
        admin_id, typist_id = admin.id, typist.id
        assert db.session.scalar(sa.select(Organization.name)) == ORG
        assert db.session.scalar(sa.select(Unit.name)) == UNIT
        db.session.remove()
    live_server.receipt = receipts[0]
    live_server.items = item_ids
    live_server.admin_id, live_server.typist_id = admin_id, typist_id
    return live_server


def sign_in(open_page, username):
    page = open_page("/login")
    page.fill("#username", username)
    page.fill("#password", "a-long-password")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/manage/**")
    return page


def shows_as_text(page, expected):
    """Nothing of the payloads on the page may run or be an element; the `expected` texts
    must show."""
    found = page.evaluate(INJECTED, list(expected))
    assert not found["ran"] and found["elements"] == 0, (page.url, found)
    assert found["missing"] == [], (page.url, "should show, as text", found["missing"])


def check(page, url, expected):
    """Open `url` and check it (shows_as_text)."""
    page.goto(url)
    page.wait_for_load_state("load")
    shows_as_text(page, expected)


def check_all(page, base, pages):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path, expected in pages:
        check(page, base + path, expected)
    assert dialogs == []


def test_public_pages_show_every_text_as_text(world, open_page):
    page = open_page("/")
    survey_texts = (TITLE, DESCRIPTION, QUESTION, HELP, OPTION, UNIT, *PLACE)
    check_all(
        page,
        world.url,
        [
            ("/", (TITLE, ORG_SHORT, *PLACE)),
            ("/s/ks", survey_texts),
            ("/s/ks?u=thon1", (TITLE, UNIT, *PLACE)),
            ("/s/ks/poster?u=thon1", (TITLE, ORG, UNIT, *PLACE, URL_PAYLOAD)),
            (f"/s/ks/done/{world.receipt}", PLACE),
            (f"/r/{world.receipt}", PLACE),
            ("/s/hoivien", (MEMBER_TITLE, *PLACE)),
            ("/s/dadong", (CLOSED_TITLE, *PLACE)),
            ("/no-such-page", PLACE),
            ("/feedback", (FEEDBACK, REPLY, ORG, UNIT, *PLACE)),
            ("/feedback?org=nongdan&unit=thon1", (FEEDBACK, REPLY, ORG, UNIT)),
            ("/login", PLACE),
        ],
    )

    # A text answer sent back with the form (a required question left out) shows as typed;
    # sent whole, it gets a receipt, and the form opened again says it was sent.
    page.goto(world.url + "/s/ks?u=thon1")
    page.fill("#q_gop_y", ANSWER)
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.locator(".alert").wait_for()
    shows_as_text(page, [ANSWER, TITLE, QUESTION, *PLACE])
    page.locator('label.face:has(input[name="q_hl"][value="4"])').click()
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url("**/done/**")
    shows_as_text(page, PLACE)
    page.goto(world.url + "/s/ks?u=thon1")
    shows_as_text(page, [TITLE, *PLACE])
    assert page.locator("a.button").count() == 1  # "I am someone else": the already-sent page


def test_workspace_pages_show_every_text_as_text(world, open_page):
    page = sign_in(open_page, "vanphong")
    answered, forwarded = world.items["answered"], world.items["forwarded"]
    admin, typist = world.admin_id, world.typist_id
    check_all(
        page,
        world.url,
        [
            ("/manage/", (FULL_NAME, *PLACE)),
            ("/manage/feedback/", (FEEDBACK, ORG_SHORT, UNIT, TITLE)),
            (f"/manage/feedback/{answered}", (FEEDBACK, REPLY, ORG, UNIT, TITLE)),
            (f"/manage/feedback/{forwarded}", (FEEDBACK, FORWARDED, ORG, UNIT, TITLE)),
            ("/manage/surveys/", (TITLE, ORG_SHORT)),
            ("/manage/surveys/ks", (TITLE, DESCRIPTION, QUESTION, OPTION, ORG_SHORT)),
            ("/manage/surveys/ks/questions/hl", (TITLE, QUESTION, HELP)),
            ("/manage/surveys/ks/questions/kenh", (TITLE, OPTION)),
            ("/manage/surveys/ks/preview", (TITLE, DESCRIPTION, QUESTION, HELP, OPTION, UNIT)),
            ("/manage/surveys/ks/clone", (TITLE,)),
            ("/manage/surveys/new", (ORG,)),
            ("/manage/indicators/", (ORG_SHORT, FULL_NAME)),
            ("/manage/indicators/nongdan/2025", (ORG, NOTE, FULL_NAME)),
            ("/manage/ratings/2025", (ORG, RULES_TITLE)),  # the rule set by its title
            ("/manage/paper/", (TITLE,)),
            ("/manage/paper/ks", (TITLE, QUESTION, OPTION, UNIT)),
            ("/manage/paper/ks/differences", (TITLE, PAPER_FIRST, PAPER_SECOND)),
            ("/manage/paper/hoivien/slips", (MEMBER_TITLE, UNIT)),
            ("/manage/audit/", (USERNAME, NOTE, FORWARDED, REPLY, FULL_NAME, REASON, ORG)),
            ("/manage/audit/", (UNIT, COMMUNE, DISTRICT, PROVINCE, URL_PAYLOAD, RULES_TITLE)),
            ("/manage/admin/users", (USERNAME, FULL_NAME, ORG)),
            (f"/manage/admin/users/{admin}/edit", (FULL_NAME,)),
            (f"/manage/admin/users/{typist}/edit", (USERNAME, FULL_NAME)),
            (f"/manage/admin/users/{typist}/password", (USERNAME,)),
            ("/manage/admin/villages", (UNIT,)),
            ("/manage/admin/villages/thon1/edit", (UNIT,)),
            ("/manage/admin/organizations", (ORG, ORG_SHORT)),
            ("/manage/admin/organizations/nongdan/edit", (ORG, ORG_SHORT)),
            ("/manage/admin/settings", (COMMUNE, DISTRICT, PROVINCE, URL_PAYLOAD)),
            ("/manage/admin/rules", (RULES_NAME, RULES_TITLE)),
            ("/dashboard/?year=2025", (ORG, ORG_SHORT)),
            ("/dashboard/org/nongdan?year=2025", (ORG, TITLE, QUESTION, OPTION, FEEDBACK)),
            ("/dashboard/survey/ks", (TITLE, QUESTION, OPTION)),
            # The letterhead writes the district in capitals, the commune without "xã".
            ("/dashboard/report/2025.html", (ORG, TITLE, RULES_TITLE, DISTRICT.upper())),
            ("/dashboard/report/2025.html", (PAYLOAD + ", ",)),
        ],
    )

    # The printed invitation slips
    page.goto(world.url + "/manage/paper/hoivien/slips")
    page.fill("#count", "2")
    page.get_by_role("button", name="Tạo phiếu mời").click()
    page.wait_for_load_state("load")
    shows_as_text(page, [MEMBER_TITLE, COMMUNE, UNIT])

    # A rule set refused for a key of its own naming says which key, as text
    page.goto(world.url + "/manage/admin/rules")
    page.locator("details.advanced > summary").first.click()  # the TOML, under "Nâng cao"
    page.fill("#rules", json.dumps(PAYLOAD) + " = 1")
    page.get_by_role("button", name="Kiểm tra và lưu TOML").click()
    page.locator(".error").wait_for()
    shows_as_text(page, ["unknown key " + repr(PAYLOAD)])


def test_what_other_roles_see_shows_every_text_as_text(world, open_page):
    answered = world.items["answered"]
    committee = sign_in(open_page, "thuongtruc")
    check_all(
        committee,
        world.url,
        [
            (f"/manage/feedback/{answered}", (FEEDBACK, REPLY, ORG, UNIT, TITLE)),
            ("/manage/ratings/2025", (ORG, RULES_TITLE)),  # the rule set by its title
            ("/dashboard/org/nongdan?year=2025", (ORG, TITLE, QUESTION, FEEDBACK)),
        ],
    )
    officer = sign_in(open_page, "canbohoi")
    check_all(
        officer,
        world.url,
        [
            ("/manage/", (FULL_NAME, ORG)),
            ("/manage/feedback/", (FEEDBACK, UNIT, TITLE)),
            ("/manage/surveys/ks", (TITLE, QUESTION, OPTION)),
            ("/manage/indicators/nongdan/2025", (ORG, NOTE, FULL_NAME)),
        ],
    )


def test_downloads_of_free_text_are_files_not_pages(world, open_page):
    """Text answers leave only in the CSV and XLSX exports: downloads the browser never
    renders as a page."""
    page = sign_in(open_page, "vanphong")
    for path in ("/dashboard/survey/ks/export.csv", "/dashboard/survey/ks/export.xlsx"):
        response = page.request.get(world.url + path)
        assert response.ok, path
        headers = response.headers
        assert headers["content-disposition"].startswith("attachment"), path
        assert headers["x-content-type-options"] == "nosniff", path
        assert not headers["content-type"].startswith("text/html"), path
    export = page.request.get(world.url + "/dashboard/survey/ks/export.csv").text()
    assert ANSWER in {cell for row in csv.reader(io.StringIO(export)) for cell in row}
