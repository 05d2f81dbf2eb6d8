"""Small groups are never shown: one rule (analytics.results.suppressed_cells) on every page,
export, API and filter.

The commune: five villages answer one survey. Làng Dừa (2 respondents) is under k = 5 and is
hidden, and with it Xóm Cát (6), the smallest other village, which would give it away from the
total. Question hl2 is answered by one person in Thôn An, eight in Thôn Bình and six in Thôn
Én: Thôn An's cell is hidden, and Thôn Én's with it. Question hl3 has only three answers in the
whole survey: no figure of it is shown. Each village but Thôn Bình sends one feedback item.
"""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from survey.models import FeedbackItem, Unit
from tests.factories import (
    make_indicator,
    make_organization,
    make_survey,
    make_unit,
    make_user,
    submit_and_commit,
)
from tests.test_route_access import sign_in_quickly

VILLAGES = {  # code: (name, respondents)
    "an": ("Thôn An", 20),
    "binh": ("Thôn Bình", 12),
    "en": ("Thôn Én", 15),
    "cat": ("Xóm Cát", 6),
    "dua": ("Làng Dừa", 2),
}
HL2 = {"an": 1, "binh": 8, "en": 6}  # respondents per village answering hl2
HL3 = {"an": 3}
FEEDBACK = {code: f"Góp ý số {i} về đường" for i, code in enumerate(VILLAGES)}
SUPPRESSED = "—"


@pytest.fixture
def commune(app, db):
    org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_indicator(db, org)
    survey = make_survey(
        db,
        [
            {"code": "hl", "kind": "likert5", "criterion": "satisfaction"},
            {"code": "hl2", "kind": "likert5"},
            {"code": "hl3", "kind": "likert5"},
            {"code": "y_kien", "kind": "text", "feedback": True, "organization": org},
        ],
        code="ks-lang",
        status="open",
        year=2025,
    )
    survey.organizations.append(org)
    units = {
        code: make_unit(db, code=code, name=name, position=i)
        for i, (code, (name, _n)) in enumerate(VILLAGES.items())
    }
    db.session.commit()
    n = 0
    for code, (_name, respondents) in VILLAGES.items():
        for i in range(respondents):
            answers = {"hl": 4}
            if i < HL2.get(code, 0):
                answers["hl2"] = 1 if code == "an" else 5
            if i < HL3.get(code, 0):
                answers["hl3"] = 2
            if i == 0 and code != "binh":
                answers["y_kien"] = FEEDBACK[code]
            submit_and_commit(survey, answers, submission_uid=f"u{n}", unit_id=units[code].id)
            n += 1
    make_user(db, username="vanphong", role="admin")
    make_user(db, username="nongdan1", role="org_officer", organization=org)
    db.session.commit()
    return {"survey": survey, "units": units}


def _client(app, db, username="vanphong"):
    client = app.test_client()
    sign_in_quickly(client, db, username)
    return client


def test_the_results_json_hides_small_questions_and_cells(app, db, commune):
    results = _client(app, db).get("/api/v1/surveys/ks-lang/results").get_json()
    assert results["questions"]["hl3"] == {"n": None, "suppressed": True}
    assert results["questions"]["hl2"]["n"] == 15 and not results["questions"]["hl2"]["suppressed"]
    units = results["units"]
    assert units["dua"]["suppressed"] and units["cat"]["suppressed"]
    assert units["an"]["questions"]["hl2"] == {"n": None, "suppressed": True}
    assert units["en"]["questions"]["hl2"] == {"n": None, "suppressed": True}
    assert units["binh"]["questions"]["hl2"]["n"] == 8
    assert units["an"]["questions"]["hl3"] == {"n": None, "suppressed": True}
    # No village cell of fewer than k answers anywhere (the red team saw {"n": 1, "mean": 1.0}).
    for unit in units.values():
        for cell in (unit["questions"] or {}).values():
            assert cell["n"] is None or cell["n"] >= 5


def test_the_survey_page_and_the_organization_page_show_no_small_cell(app, db, commune):
    client = _client(app, db)
    for url in ("/dashboard/survey/ks-lang", "/dashboard/org/nongdan?year=2025"):
        page = client.get(url).get_data(as_text=True)
        assert "ẩn (dưới 5 người trả lời)" in page, url  # hl3, and the hidden cells' titles
        rows = {
            name: page[page.index(f"<tr><td>{name}</td>") :].split("</tr>", 1)[0]
            for name, _n in VILLAGES.values()
        }
        assert "ẩn (quá ít người trả lời)" in rows["Làng Dừa"]
        assert "ẩn (quá ít người trả lời)" in rows["Xóm Cát"]
        # hl, hl2, hl3: Thôn An shows hl only; Thôn Bình hl and hl2.
        assert rows["Thôn An"].count(">—</td>") == 2, url
        assert rows["Thôn Én"].count(">—</td>") == 2, url
        assert rows["Thôn Bình"].count(">—</td>") == 1, url


def _sheet_rows(body, title):
    book = openpyxl.load_workbook(io.BytesIO(body))
    return list(book[title].iter_rows(min_row=2, values_only=True))


@pytest.mark.parametrize(
    "url", ["/dashboard/survey/ks-lang/export.xlsx", "/dashboard/report/2025.xlsx"]
)
def test_the_workbooks_hide_small_questions_and_cells(app, db, commune, url):
    body = _client(app, db).get(url).get_data()

    def question(heading):  # "Câu 3. hl3": the questions' texts are their codes here
        return heading.split(". ", 1)[-1]

    questions = {}
    for row in _sheet_rows(body, "Kết quả câu hỏi"):
        questions.setdefault(question(row[1]), row)  # a question's first row holds its figures
    assert questions["hl3"][3] == SUPPRESSED and questions["hl3"][4] == SUPPRESSED
    assert questions["hl2"][3] == 15
    village = {name: code for code, (name, _n) in VILLAGES.items()}
    cells = {(village[row[1]], question(row[3])): row for row in _sheet_rows(body, "Theo thôn")}
    assert cells[("an", "hl2")][4] == SUPPRESSED and cells[("an", "hl2")][5] == SUPPRESSED
    assert cells[("en", "hl2")][4] == SUPPRESSED
    assert cells[("binh", "hl2")][4] == 8
    assert cells[("an", "hl")][4] == 20
    assert not [row for row in cells.values() if isinstance(row[4], int) and row[4] < 5]


def _inbox_rows(page):
    """(feedback text, village cell) of each row of the inbox list."""
    found = re.findall(
        r'<td class="text"><a [^>]*>([^<]*)</a></td>\s*<td class="meta">[^<]*</td>\s*'
        r'<td class="meta">([^<]*)</td>',
        page,
    )
    return dict(found)


def test_the_inbox_names_no_hidden_village(app, db, commune):
    client = _client(app, db)
    rows = _inbox_rows(client.get("/manage/feedback/").get_data(as_text=True))
    assert rows == {
        FEEDBACK["an"]: "Thôn An",
        FEEDBACK["en"]: "Thôn Én",
        FEEDBACK["cat"]: "—",
        FEEDBACK["dua"]: "—",
    }
    for code in ("dua", "cat"):
        item = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.text == FEEDBACK[code]))
        page = client.get(f"/manage/feedback/{item.id}").get_data(as_text=True)
        assert VILLAGES[code][0] not in page.split("<main", 1)[1].split("<form", 1)[0]


@pytest.mark.parametrize("username", ["vanphong", "nongdan1"])
def test_the_inbox_filter_does_not_find_a_hidden_village(app, db, commune, username):
    client = _client(app, db, username)
    for code in ("dua", "cat"):
        page = client.get(f"/manage/feedback/?unit={code}").get_data(as_text=True)
        assert FEEDBACK[code] not in page, code
        assert "Không có ý kiến nào khớp với điều kiện lọc." in page
    page = client.get("/manage/feedback/?unit=an").get_data(as_text=True)
    assert FEEDBACK["an"] in page and FEEDBACK["dua"] not in page


def test_the_public_replies_name_no_hidden_village(app, db, commune):
    for item in db.session.scalars(sa.select(FeedbackItem)):
        item.status, item.public_reply, item.published = "answered", "Đã sửa.", True
    db.session.commit()
    page = app.test_client().get("/feedback").get_data(as_text=True)
    assert "Hội Nông dân xã · Thôn An" in page
    assert "· Làng Dừa" not in page and "· Xóm Cát" not in page
    assert FEEDBACK["cat"] not in app.test_client().get("/feedback?unit=cat").get_data(as_text=True)


def test_a_flagged_burst_names_no_hidden_village(app, db, commune):
    from survey.responses.suppression import flags_with_villages_hidden

    flags = [
        {"survey": "ks-lang", "kind": "burst", "responses": 6, "groups": 1, "units": ["cat"]},
        {
            "survey": "ks-lang",
            "kind": "burst",
            "responses": 30,
            "groups": 2,
            "units": ["an", "dua"],
        },
    ]
    assert flags_with_villages_hidden(flags) == [
        {"survey": "ks-lang", "kind": "burst", "responses": None, "groups": 1, "units": [None]},
        {"survey": "ks-lang", "kind": "burst", "responses": 30, "groups": 2, "units": ["an", None]},
    ]
    # The flags the pages and the API show come through it.
    document = _client(app, db).get("/api/v1/evaluations/2025").get_json()
    hidden = {"cat", "dua"}
    for flag in document["integrity"]:
        assert not hidden & set(flag["units"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 5
