"""`flask survey import-xlsform` and `export-xlsform`: a report by row, nothing kept if refused."""

import sqlalchemy as sa
from pyxform.xls2xform import convert

from survey.models import Survey
from survey.surveys.definitions import dump_definition
from tests.factories import make_defined_survey
from tests.surveys.xlsform_books import one_question, workbook

SETTINGS = [("form_title", "form_id"), ("Khảo sát thử", "ks_thu")]


def surveys(db):
    return db.session.scalars(sa.select(Survey.code)).all()


def test_import_prints_the_report_and_loads_a_draft(app, db, runner, tmp_path):
    path = tmp_path / "form.xlsx"
    header = ("type", "name", "label", "calculation")
    path.write_bytes(one_question(("calculate", "tong", "", "1 + 1"), header, settings=SETTINGS))
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{path}: survey sheet, row 2: 'ask' became a yesno question; the choice labels are the "
        "platform's own",
        f"{path}: survey sheet, row 3: type 'calculate' has no counterpart here; the question was "
        "not imported",
        "Imported survey ks-thu (1 questions) as a draft; 1 rows not imported whole, 0 audio/image "
        "files to attach.",
    ]
    survey = db.session.scalar(sa.select(Survey))
    assert (survey.code, survey.status, survey.year) == ("ks-thu", "draft", 2026)


def test_strict_writes_nothing(app, db, runner, tmp_path):
    path = tmp_path / "form.xlsx"
    header = ("type", "name", "label", "calculation")
    path.write_bytes(one_question(("calculate", "tong", "", "1 + 1"), header, settings=SETTINGS))
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--strict"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: {path}: refused whole (--strict): survey sheet, row 3: type 'calculate' has no "
        "counterpart here; the question was not imported"
    )
    assert surveys(db) == []


def test_a_damaged_file_gets_one_line_and_writes_nothing(app, db, runner, tmp_path):
    good = one_question(("text", "a", "A?"), settings=SETTINGS)
    path = tmp_path / "form.xlsx"
    path.write_bytes(good[: len(good) // 2])  # cut short
    result = runner.invoke(args=["survey", "import-xlsform", str(path)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {path}: not an .xlsx workbook (an XLSForm is saved as Excel .xlsx)\n"
    )
    path.write_bytes(workbook([("type", "name", "label"), ("begin_group", "g", "G")]))
    result = runner.invoke(args=["survey", "import-xlsform", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: not a valid XLSForm: ")
    assert result.output.count("\n") == 1
    assert surveys(db) == []


def test_a_code_taken_writes_nothing(app, db, runner, tmp_path):
    make_defined_survey(db, code="ks-thu")
    path = tmp_path / "form.xlsx"
    path.write_bytes(one_question(("text", "a", "A?"), settings=SETTINGS))
    result = runner.invoke(args=["survey", "import-xlsform", str(path)])
    assert result.exit_code == 1
    assert result.output == f"Error: {path}: code: a survey 'ks-thu' already exists\n"
    assert surveys(db) == ["ks-thu"]


def test_usage_errors(app, runner, tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(one_question(("text", "a", "A?")))
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--audience", "everyone"])
    assert result.exit_code == 2
    assert "'everyone' is not one of 'public', 'member'" in result.output


def test_export_writes_a_workbook_pyxform_reads_and_import_reads_back(app, db, runner, tmp_path):
    survey = make_defined_survey(db, code="ks-xuat", status="open")
    before = dump_definition(survey)
    path = tmp_path / "ks.xlsx"
    result = runner.invoke(args=["survey", "export-xlsform", "ks-xuat", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote the XLSForm of ks-xuat (")
    assert "<h:title>" in convert(str(path)).xform
    again = runner.invoke(args=["survey", "import-xlsform", str(path), "--code", "ks-xuat-2"])
    assert again.exit_code == 0, again.output
    after = dump_definition(db.session.scalar(sa.select(Survey).where(Survey.code == "ks-xuat-2")))
    assert {**after, "code": "ks-xuat", "status": "open"} == before
    missing = runner.invoke(args=["survey", "export-xlsform", "nope", "-o", str(path)])
    assert missing.exit_code != 0
