"""Control characters: stripped from every text typed in, and from what is written to files.

Nobody types a control character (C0 but tab and line breaks, DEL, C1); the XML inside
XLSX and DOCX files cannot hold them, so one stored in an officer's text made the year's
workbook, the report and the survey's XLSX export answer 500. Every form of the workspace,
the public form and the command-line loaders strip them on input (survey.core.text_safety), and
the XLSX and DOCX writers strip them again from data stored before.
"""

import importlib
import inspect
import io
import json
import pkgutil

import docx
import openpyxl
import pytest
import sqlalchemy as sa
import wtforms

import survey
from survey.core.forms import OfficerForm, OfficerSubform
from survey.core.text_safety import CONTROL_CHARACTERS, strip_control
from survey.models import (
    AnnualIndicator,
    AuditLog,
    Evaluation,
    FeedbackItem,
    Organization,
    Question,
    Setting,
    Survey,
    Unit,
    User,
)
from tests.factories import (
    COUNTING_FLAGGED,
    make_organization,
    make_surveyed_commune,
    make_unit,
    make_user,
    save_setting,
)
from tests.test_route_access import sign_in_quickly

# One of each kind: C0, vertical tab, form feed, escape, DEL, C1 (NEL), a noncharacter.
DIRT = "\x01\x07\x0b\x0c\x1b\x7f\x85\x9f\ufffe"


def dirty(text):
    """`text` with every control character of DIRT in its middle."""
    return text[:2] + DIRT + text[2:]


def test_the_rule_removes_what_openpyxl_refuses_and_keeps_line_breaks():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    every = (
        "".join(chr(c) for c in range(0x20)) + "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))
    )
    assert strip_control(every) == "\t\n\r"
    assert not ILLEGAL_CHARACTERS_RE.search(strip_control(every))
    assert strip_control("Đường " + DIRT + "hỏng") == "Đường hỏng"
    assert strip_control(None) is None and strip_control(3) == 3


def test_the_public_form_follows_the_same_rule():
    from survey.responses.answer_rules import coerce

    class Text:
        kind, max_length = "text", None

    assert coerce(Text(), dirty("Đường hỏng\ngấp")) == "Đường hỏng\ngấp"


# --- data stored before the rule -------------------------------------------------------------


def _store_dirt(db, commune):
    """Control characters in every officer's text the exports and the report carry, written
    straight to the database as older versions let them in."""
    survey = commune["survey"]
    survey.title = {lang: dirty(t) for lang, t in survey.title.items()}
    for question in survey.questions:
        question.text = {lang: dirty(t) for lang, t in question.text.items()}
        for option in question.options:
            option.label = {lang: dirty(t) for lang, t in option.label.items()}
    for org in db.session.scalars(sa.select(Organization)):
        org.name, org.short_name = dirty(org.name), dirty(org.short_name)
    for unit in db.session.scalars(sa.select(Unit)):
        unit.name = dirty(unit.name)
    for figures in db.session.scalars(sa.select(AnnualIndicator)):
        figures.note = dirty("Ghi chú của hội")
    for item in db.session.scalars(sa.select(FeedbackItem)):
        item.text, item.forwarded_to = dirty(item.text), dirty("UBND xã")
    db.session.add(Setting(key="COMMUNE_NAME", value=dirty("Xã Hòa Bình")))
    # A rule set's title may carry one as a TOML escape, which no input filter sees.
    # (make_surveyed_commune's rule set counts the flagged responses: it stays so.)
    title = 'title = "Quy \\u0007định \\u0085mới"\n'
    save_setting(db, "RULES_TOML", value=title + COUNTING_FLAGGED)
    db.session.execute(
        sa.update(Question)
        .where(Question.survey_id == survey.id, Question.kind == "text")
        .values(help={"vi": dirty("gợi ý")})
    )
    db.session.commit()


def _texts_of_zip(body):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        parts = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
        return "".join(archive.read(n).decode("utf-8") for n in parts)


def test_stored_control_characters_do_not_stop_any_export(app, db):
    commune = make_surveyed_commune(db)
    _store_dirt(db, commune)
    make_user(db, username="vanphong", role="admin")
    db.session.commit()
    client = app.test_client()
    sign_in_quickly(client, db, "vanphong")
    code = commune["survey"].code
    for url in (
        "/dashboard/report/2025.xlsx",
        "/dashboard/report/2025.docx",
        "/dashboard/report/2025.html",
        f"/dashboard/survey/{code}/export.xlsx",
        f"/dashboard/survey/{code}/export.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data()
        text = _texts_of_zip(body) if body[:2] == b"PK" else body.decode("utf-8")
        assert not CONTROL_CHARACTERS.search(text), url
    book = openpyxl.load_workbook(io.BytesIO(client.get("/dashboard/report/2025.xlsx").get_data()))
    names = {c.value for row in book["Tổng hợp"].iter_rows(min_row=2) for c in row}
    assert "Hội Nông dân xã" in names
    report = docx.Document(io.BytesIO(client.get("/dashboard/report/2025.docx").get_data()))
    assert any("Quy định mới" in p.text for p in report.paragraphs)
    # The pages that show the same texts are fine as they were (HTML escapes them).
    for url in ("/dashboard/", f"/dashboard/survey/{code}", "/manage/feedback/", "/feedback"):
        assert client.get(url).status_code == 200, url


def test_stored_control_characters_do_not_stop_the_commands(runner, db, tmp_path):
    commune = make_surveyed_commune(db)
    _store_dirt(db, commune)
    for fmt in ("xlsx", "docx", "html"):
        path = tmp_path / f"bao-cao.{fmt}"
        result = runner.invoke(args=["report", "--year", "2025", "--format", fmt, "-o", str(path)])
        assert result.exit_code == 0, result.output
    path = tmp_path / "phieu.xlsx"
    code = commune["survey"].code
    result = runner.invoke(args=["survey", "export", code, "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 0, result.output


# --- new input -------------------------------------------------------------------------------


def _officer_forms():
    """Every form class defined in the survey package."""
    for info in pkgutil.walk_packages(survey.__path__, "survey."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, wtforms.Form) and value.__module__ == info.name:
                yield value


def test_every_officer_form_strips_control_characters():
    from survey.responses.survey_form import SurveyForm

    forms = set(_officer_forms())
    assert forms, "no form found"
    # The public form keeps its own rule (survey.responses.answer_rules, the same function).
    outside = sorted(
        f.__qualname__
        for f in forms
        if not issubclass(f, (OfficerForm, OfficerSubform, SurveyForm))
        and f not in (OfficerForm, OfficerSubform)
    )
    assert not outside, f"forms that keep control characters: {outside}"


@pytest.fixture
def office(app, db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân", short_name="Nông dân")
    make_unit(db, code="thon1", name="Thôn Một")
    make_user(db, username="vanphong", role="admin")
    make_user(db, username="nongdan1", role="org_officer", organization=nongdan)
    make_user(db, username="thuongtruc", role="committee")
    db.session.commit()
    client = app.test_client()
    sign_in_quickly(client, db, "vanphong")
    return client


def _no_dirt_anywhere(db):
    """No text column of these tables, and no audit entry, holds a control character."""
    db.session.expire_all()
    found = []
    for model, columns in (
        (Survey, ("title", "description")),
        (Question, ("text", "help")),
        (Organization, ("name", "short_name")),
        (Unit, ("name",)),
        (User, ("full_name",)),
        (AnnualIndicator, ("note",)),
        (FeedbackItem, ("public_reply", "forwarded_to")),
        (Setting, ("value",)),
        (Evaluation, ("reason",)),
        (AuditLog, ("details",)),
    ):
        for row in db.session.scalars(sa.select(model)):
            for column in columns:
                for text in _strings(getattr(row, column)):
                    if CONTROL_CHARACTERS.search(text):
                        found.append(f"{model.__name__}.{column}: {text[:80]!r}")
    return found


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


# What each officer form is sent: a text with control characters in every text field.
OFFICER_POSTS = [
    (
        "/manage/surveys/new",
        {
            "start": "blank",
            "code": "ks-moi-2026",
            "title_vi": dirty("Khảo sát mới"),
            "description_vi": dirty("Giới thiệu"),
            "languages": ["vi"],
            "audience": "public",
            "topic": "satisfaction",
            "year": "2026",
            "organizations": ["nongdan"],
        },
    ),
    (
        "/manage/surveys/ks-moi-2026/questions/new",
        {
            "code": "kenh",
            "kind": "single",
            "text_vi": dirty("Biết qua đâu?"),
            "help_vi": dirty("Chọn một"),
            "organization": "",
            "show_if_question": "",
            "options-0-code": "loa",
            "options-0-label_vi": dirty("Loa thôn"),
            "options-0-order": "1",
            "options-1-code": "hop",
            "options-1-label_vi": dirty("Họp thôn"),
            "options-1-order": "2",
        },
    ),
    (
        "/manage/admin/organizations/new",
        {
            "code": "phunu",
            "name": dirty("Hội Phụ nữ"),
            "short_name": dirty("Phụ nữ"),
            "position": "2",
            "members_count": "10",
        },
    ),
    (
        "/manage/admin/villages/new",
        {
            "code": "thon2",
            "name": dirty("Thôn Hai"),
            "adult_population": "10",
            "households": "3",
            "position": "2",
        },
    ),
    (
        "/manage/admin/users/new",
        {
            "username": "moi",
            "full_name": dirty("Nguyễn Văn Mới"),
            "role": "committee",
            "organization": "",
            "unit": "",
            "password": "a-long-password-1",
            "confirm": "a-long-password-1",
        },
    ),
    (
        "/manage/admin/settings",
        {
            "COMMUNE_NAME": dirty("Xã Hòa Bình"),
            "DISTRICT_NAME": dirty("Huyện Một"),
            "PROVINCE_NAME": "",
            "PUBLIC_BASE_URL": "http://survey.test",
            "SUPPRESSION_K": "5",
        },
    ),
    (
        "/manage/admin/rules",
        {"rules": "# " + DIRT + '\ntitle = "Quy định ' + DIRT[:3] + 'mới"\n'},
    ),
    ("/manage/indicators/nongdan/2025", {"note": dirty("Ghi chú của hội")}),
    ("/manage/ratings/2025/finalize", {"reason": dirty("Lần đầu"), "confirm": "y"}),
]


def test_every_officer_form_stores_texts_without_control_characters(app, db, office):
    for url, data in OFFICER_POSTS:
        response = office.post(url, data=data)
        errors = [line for line in response.get_data(as_text=True).splitlines() if "error" in line]
        assert response.status_code in (302, 303), (url, errors)
    item = FeedbackItem(organization_id=1, text="Đường hỏng")
    db.session.add(item)
    db.session.commit()
    response = office.post(
        f"/manage/feedback/{item.id}",
        data={
            "topic": "",
            "status": "forwarded",
            "forwarded_to": dirty("UBND xã"),
            "public_reply": dirty("Đã chuyển"),
        },
    )
    assert response.status_code == 302
    assert _no_dirt_anywhere(db) == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(Organization.name).where(Organization.code == "phunu")) == (
        "Hội Phụ nữ"
    )
    assert db.session.get(FeedbackItem, item.id).forwarded_to == "UBND xã"


def test_the_loaders_strip_control_characters(runner, db, tmp_path):
    org = make_organization(db, code="nongdan", name="Hội Nông dân")
    make_unit(db, code="thon1")
    db.session.commit()
    definition = {
        "code": "ks-nap",
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
        "title": {"vi": dirty("Khảo sát")},
        "description": {"vi": dirty("Giới thiệu")},
        "organizations": [org.code],
        "questions": [
            {
                "code": "kenh",
                "kind": "single",
                "text": {"vi": dirty("Biết qua đâu?")},
                "help": {"vi": dirty("Chọn một")},
                "options": [
                    {"code": "loa", "label": {"vi": dirty("Loa thôn")}},
                    {"code": "hop", "label": {"vi": dirty("Họp thôn")}},
                ],
            },
            {"code": "gop_y", "kind": "text", "text": {"vi": "Góp ý"}},
        ],
    }
    path = tmp_path / "ks.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["survey", "load", str(path)]).exit_code == 0
    assert runner.invoke(args=["survey", "open", "ks-nap"]).exit_code == 0
    answers = tmp_path / "phieu.csv"
    answers.write_text(
        "submission_uid,unit,submitted_at,channel,lang,kenh,gop_y\n"
        f"a{DIRT[:2]}1,thon1,,import,vi,loa,{dirty('Đường hỏng')}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["responses", "import", "ks-nap", str(answers)])
    assert result.exit_code == 0, result.output
    figures = tmp_path / "chi-tieu.csv"
    figures.write_text(
        f"organization,year,note\nnongdan,2025,{dirty('Ghi chú')}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["indicators", "import", str(figures)])
    assert result.exit_code == 0, result.output
    assert _no_dirt_anywhere(db) == []
    from survey.models import Answer, Response
    from survey.responses.submission import uid_digest

    assert db.session.scalar(sa.select(Answer.text).where(Answer.kind == "text")) == "Đường hỏng"
    assert db.session.scalar(sa.select(Response.submission_uid)) == uid_digest("a1")
