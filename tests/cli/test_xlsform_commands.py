"""`flask survey import-xlsform` and `export-xlsform`: a report by row, nothing kept if refused."""

import sqlalchemy as sa
from pyxform.xls2xform import convert

from survey.models import Survey, SurveyAudio
from survey.surveys.definitions import dump_definition
from tests.factories import make_defined_survey
from tests.surveys.test_audio import FFMPEG, wav_bytes
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
        "Imported survey ks-thu (1 questions) as a draft; 1 rows not imported whole, 0 of 0 audio "
        "files attached.",
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


def clips_of(db, code):
    db.session.expire_all()
    survey = db.session.scalar(sa.select(Survey).where(Survey.code == code))
    names = {f"question:{q.id}": q.code for q in survey.questions}
    names |= {f"option:{o.id}": f"{q.code}/{o.code}" for q in survey.questions for o in q.options}
    rows = db.session.execute(
        sa.select(SurveyAudio.target, SurveyAudio.lang).where(SurveyAudio.survey_id == survey.id)
    )
    return sorted((names.get(target, target), lang) for target, lang in rows)


def test_the_audio_a_workbook_names_comes_from_its_media_folder_and_goes_back_out(
    app, db, runner, tmp_path
):
    """ODK's layout: FORM.xlsx and FORM-media/. A question's, an option's and a face's files are
    attached; a damaged one and a missing one are reported, the rest still comes in; the export
    writes the recordings into its own media folder, which the import takes back."""
    path = tmp_path / "hailong.xlsx"
    audio = "media::audio::Vietnamese (vi)"
    path.write_bytes(
        workbook(
            [
                ("type", "name", "label::Vietnamese (vi)", "appearance", audio),
                ("select_one hl", "hl", "Hài lòng không?", "likert", "hl.wav"),
                ("select_one kenh", "kenh", "Biết qua đâu?", "", "kenh.wav"),
            ],
            [
                ("list_name", "name", "label::Vietnamese (vi)", audio),
                *[
                    ("hl", str(n), f"Mức {n}", f"mat-{n}.wav" if n == 5 else "")
                    for n in range(1, 6)
                ],
                ("kenh", "loa", "Loa thôn", "loa.wav"),
                ("kenh", "hop", "Họp thôn", "hop.wav"),
            ],
            SETTINGS,
        )
    )
    media = tmp_path / "hailong-media"
    media.mkdir()
    for name in ("hl.wav", "loa.wav", "mat-5.wav"):
        (media / name).write_bytes(wav_bytes())
    (media / "hop.wav").write_bytes(b"<html><script>alert(1)</script></html>")
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--year", "2026"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{path}: audio file 'hl.wav' (question 'hl', vi): attached" in lines
    assert (
        f"{path}: audio file 'kenh.wav' (question 'kenh', vi): not in the media folder; attach "
        "it on the survey's audio page" in lines
    )
    assert any("'hop.wav'" in line and "not attached: not accepted" in line for line in lines)
    assert lines[-1].endswith("3 of 5 audio files attached.")
    assert clips_of(db, "ks-thu") == [("face:5", "vi"), ("hl", "vi"), ("kenh/loa", "vi")]

    out = tmp_path / "out" / "ks-thu.xlsx"
    out.parent.mkdir()
    exported = runner.invoke(args=["survey", "export-xlsform", "ks-thu", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    written = sorted(p.name for p in (tmp_path / "out" / "ks-thu-media").iterdir())
    assert len(written) == 3 and all(
        name.endswith(".vi.mp3" if FFMPEG else ".vi.wav") for name in written
    )
    convert(xlsform=str(out))  # pyxform takes the media columns too
    again = runner.invoke(
        args=["survey", "import-xlsform", str(out), "--code", "ks-lai", "--strict"]
    )
    assert again.exit_code == 0, again.output
    assert clips_of(db, "ks-lai") == [("face:5", "vi"), ("hl", "vi"), ("kenh/loa", "vi")]


def test_strict_refuses_a_workbook_whose_audio_file_is_missing(app, db, runner, tmp_path):
    path = tmp_path / "form.xlsx"
    audio = "media::audio::Vietnamese (vi)"
    path.write_bytes(
        one_question(("text", "y_kien", "Ý kiến?", "y_kien.mp3"), ("type", "name", "label", audio))
    )
    result = runner.invoke(args=["survey", "import-xlsform", str(path), "--strict"])
    assert result.exit_code == 1
    assert "audio file 'y_kien.mp3' (question 'y_kien', vi): not in the media folder" in (
        result.output
    )
    assert surveys(db) == []
