"""Free text (answers to text questions) per role, on every route that could carry it.

The rule (survey.accounts.access.may_read_free_text): the Party Committee Office, the Standing
Committee and the inspectors read all of it; an organization's officer reads the free text of
the questions about its own organization only (a question tagged to it, or an untagged
question of a survey that evaluates it alone); nobody else reads any. Distinct texts are
planted, addressed to two organizations and to the commune in general, and every GET route of
the app is walked as every persona: each persona must see exactly what the rule allows, and the
exports must carry what it allows.
"""

import io
import re
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for

from survey.models import (
    Commune,
    Dialogue,
    DialogueIssue,
    FeedbackItem,
    Programme,
    ReceiptCode,
    Task,
    TaskEvidence,
)
from tests.factories import make_organization, make_unit, make_user, submit_and_commit
from tests.test_route_access import sign_in_quickly

# The planted free texts.
WIDE_NONGDAN = "GOPY-CHUNGXA-GUI-NONGDAN"  # commune-wide survey, question tagged to nongdan
WIDE_PHUNU = "GOPY-CHUNGXA-GUI-PHUNU"  # commune-wide survey, question tagged to phunu
WIDE_GENERAL = "GOPY-CHUNGXA-CHUNG"  # commune-wide survey, untagged: the commune in general
OWN_GENERAL = "GOPY-NONGDAN-RIENG"  # nongdan's own survey, untagged: nongdan's
OWN_TO_PHUNU = "GOPY-NONGDAN-GUI-PHUNU"  # nongdan's own survey, question tagged to phunu
PLANTED = (WIDE_NONGDAN, WIDE_PHUNU, WIDE_GENERAL, OWN_GENERAL, OWN_TO_PHUNU)

EVERYTHING = frozenset(PLANTED)
MAY_READ = {
    "anonymous": frozenset(),
    "admin": EVERYTHING,
    "committee": EVERYTHING,
    "inspector": EVERYTHING,
    "nongdan_officer": frozenset({WIDE_NONGDAN, OWN_GENERAL}),
    "phunu_officer": frozenset({WIDE_PHUNU, OWN_TO_PHUNU}),
    "village_officer": frozenset(),
}
# What each persona's exports of each survey must hold (None: the persona may not download).
EXPORTS = {
    "giamsat-2025": {
        "admin": frozenset({WIDE_NONGDAN, WIDE_PHUNU, WIDE_GENERAL}),
        "committee": frozenset({WIDE_NONGDAN, WIDE_PHUNU, WIDE_GENERAL}),
        "inspector": frozenset({WIDE_NONGDAN, WIDE_PHUNU, WIDE_GENERAL}),
        "nongdan_officer": frozenset({WIDE_NONGDAN}),
        "phunu_officer": frozenset({WIDE_PHUNU}),
    },
    "nongdan-2025": {
        "admin": frozenset({OWN_GENERAL, OWN_TO_PHUNU}),
        "committee": frozenset({OWN_GENERAL, OWN_TO_PHUNU}),
        "inspector": frozenset({OWN_GENERAL, OWN_TO_PHUNU}),
        "nongdan_officer": frozenset({OWN_GENERAL}),
    },
}
# Routes not about results at all (or that change something on GET): left out of the walk.
SKIPPED = {"static", "auth.logout", "public.set_language", "public.service_worker"}


def _survey(db, code, organizations, questions):
    from tests.factories import make_survey

    survey = make_survey(db, questions, code=code, status="open", year=2025)
    survey.organizations.extend(organizations)
    db.session.flush()
    return survey


def build_commune(db):
    """Three organizations, a commune-wide survey about all of them and one of nongdan's own,
    each free text planted in a response of its own; the personas."""
    mattran = make_organization(db, code="mattran", name="Ủy ban MTTQ xã", position=0)
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    thon = make_unit(db, code="thon1", name="Thôn Một")
    wide = _survey(
        db,
        "giamsat-2025",
        [mattran, nongdan, phunu],
        [
            {"code": "hl", "kind": "likert5"},
            {"code": "y_nongdan", "kind": "text", "feedback": True, "organization": nongdan},
            {"code": "y_phunu", "kind": "text", "feedback": True, "organization": phunu},
            {"code": "y_chung", "kind": "text"},
        ],
    )
    own = _survey(
        db,
        "nongdan-2025",
        [nongdan],
        [
            {"code": "hl", "kind": "likert5"},
            {"code": "gop_y", "kind": "text"},
            {"code": "y_phunu", "kind": "text", "feedback": True, "organization": phunu},
        ],
    )
    db.session.commit()
    plants = [
        (wide, "y_nongdan", WIDE_NONGDAN),
        (wide, "y_phunu", WIDE_PHUNU),
        (wide, "y_chung", WIDE_GENERAL),
        (own, "gop_y", OWN_GENERAL),
        (own, "y_phunu", OWN_TO_PHUNU),
    ]
    for n, (survey, code, text) in enumerate(plants):
        submit_and_commit(survey, {"hl": 4, code: text}, submission_uid=f"p{n}", unit_id=thon.id)
    for n in range(10):  # enough respondents that the village is shown
        for survey in (wide, own):
            submit_and_commit(survey, {"hl": 5}, submission_uid=f"r{n}", unit_id=thon.id)
    make_user(db, username="admin", role="admin")
    make_user(db, username="committee", role="committee")
    make_user(db, username="inspector", role="inspector")
    make_user(db, username="nongdan_officer", role="org_officer", organization=nongdan)
    make_user(db, username="phunu_officer", role="org_officer", organization=phunu)
    make_user(db, username="village_officer", role="unit_officer", unit=thon)
    _follow_up(db, nongdan, thon)
    db.session.commit()


def _follow_up(db, nongdan, thon):
    """A programme task of nongdan that its feedback item became, with an evidence row, and a
    dialogue of nongdan with an issue made that task: the pages that name a task's feedback."""
    from datetime import date

    programme = Programme(year=2025, title="Chương trình phối hợp", parties=[nongdan])
    task = Task(programme=programme, organization=nongdan, title="Sửa đường", owner="An")
    task.due_on = date(2025, 12, 1)
    evidence = TaskEvidence(
        task=task, stored_name="1" * 32 + ".pdf", filename="bb.pdf", size=9, public=True
    )
    evidence.content_type = "application/pdf"
    dialogue = Dialogue(
        organization=nongdan, unit=thon, title="Đối thoại", held_on=date(2025, 4, 1)
    )
    issue = DialogueIssue(dialogue=dialogue, text="Đường hỏng.", task=task)
    db.session.add_all([programme, task, evidence, dialogue, issue])
    db.session.flush()
    item = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.text == WIDE_NONGDAN))
    item.task_id = task.id


def readable(response):
    """The text of a response: the body, or every part of a zipped file (XLSX, DOCX)."""
    body = response.get_data()
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return body.decode("utf-8", errors="replace")


def planted_in(text):
    return frozenset(t for t in PLANTED if t in text)


def _argument_values(db):
    """Every value to try for each URL argument of the app's routes."""
    items = db.session.scalars(sa.select(FeedbackItem.id)).all()
    receipts = db.session.scalars(sa.select(ReceiptCode.code).limit(3)).all()
    return {
        "code": ["giamsat-2025", "nongdan-2025", "nongdan", "phunu", "mattran"],
        "org": ["nongdan", "phunu"],
        "year": [2025],
        "item_id": items,
        "receipt": receipts,
        "qcode": ["y_nongdan", "gop_y"],
        "user_id": [1],
        "admin_id": [1],
        "commune": db.session.scalars(sa.select(Commune.code)).all(),
        "unit": ["thon1"],
        # a recording carries no free text: any clip number asks the routes that serve one
        "clip_id": [1],
        "digest": ["0" * 16],
        **{
            name: db.session.scalars(sa.select(model.id)).all()
            for name, model in (
                ("programme_id", Programme),
                ("task_id", Task),
                ("evidence_id", TaskEvidence),
                ("dialogue_id", Dialogue),
                ("issue_id", DialogueIssue),
            )
        },
    }


def _urls(app, rule, values):
    """The URLs to ask for one rule: every combination of its arguments' values."""
    combos = [{}]
    for name in sorted(rule.arguments):
        listed = re.search(rf"<any\(([^)]*)\):{name}>", rule.rule)
        choices = re.findall(r"\w+", listed.group(1)) if listed else values.get(name)
        assert choices, f"{rule.endpoint}: no value to try for URL argument {name!r}"
        combos = [c | {name: v} for c in combos for v in choices]
    with app.test_request_context():
        return [url_for(rule.endpoint, **combo) for combo in combos]


@pytest.fixture
def commune(app, db):
    build_commune(db)


def test_each_role_sees_only_the_free_text_it_may_read_on_every_route(app, db, commune):
    values = _argument_values(db)
    urls = [
        url
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIPPED
        for url in _urls(app, rule, values)
    ]
    wrong = []
    for persona, allowed in MAY_READ.items():
        seen = set()
        client = app.test_client()
        if persona != "anonymous":
            sign_in_quickly(client, db, persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, f"{persona} {url}: {response.status_code}"
            found = planted_in(readable(response))
            if found - allowed:
                wrong.append(f"{persona} {url}: {sorted(found - allowed)}")
            seen |= found
        if allowed - seen:
            wrong.append(f"{persona} never saw {sorted(allowed - seen)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta"])
@pytest.mark.parametrize("code", sorted(EXPORTS))
def test_each_export_holds_the_free_text_of_the_readers_questions(app, db, commune, code, fmt):
    for persona in MAY_READ:
        client = app.test_client()
        if persona != "anonymous":
            sign_in_quickly(client, db, persona)
        response = client.get(f"/dashboard/survey/{code}/export.{fmt}")
        expected = EXPORTS[code].get(persona)
        if expected is None:
            assert response.status_code in (302, 403), persona
            continue
        assert response.status_code == 200, persona
        assert planted_in(readable(response)) == expected, persona


def test_an_officer_is_told_what_its_download_leaves_out(app, db, commune):
    client = app.test_client()
    sign_in_quickly(client, db, "nongdan_officer")
    page = client.get("/dashboard/survey/giamsat-2025").get_data(as_text=True)
    assert "Không có trong tệp tải về" in page
    assert "y_phunu" in page and "y_chung" in page
    assert "y_nongdan" not in page.split("Không có trong tệp tải về", 1)[1].split("</p>", 1)[0]
    own = client.get("/dashboard/survey/nongdan-2025").get_data(as_text=True)
    assert "Không có trong tệp tải về" in own
    import openpyxl

    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/dashboard/survey/giamsat-2025/export.xlsx").get_data())
    )
    responses = book[book.sheetnames[0]]
    header = [str(c.value).split(". ", 1)[-1] for c in responses[1]]  # "Câu 2. <its text>"
    assert "y_nongdan" in header and "y_phunu" not in header and "y_chung" not in header
    notes = "\n".join(str(c.value) for row in book["Ghi chú"].iter_rows() for c in row if c.value)
    assert "y_phunu" in notes and "y_chung" in notes

    admin = app.test_client()
    sign_in_quickly(admin, db, "admin")
    assert "Không có trong tệp tải về" not in admin.get("/dashboard/survey/giamsat-2025").get_data(
        as_text=True
    )
    book = openpyxl.load_workbook(
        io.BytesIO(admin.get("/dashboard/survey/giamsat-2025/export.xlsx").get_data())
    )
    assert "Ghi chú" not in book.sheetnames
