"""`flask responses import`: the whole file or nothing, each bad row named by its line."""

import sqlalchemy as sa

from survey.core.extensions import db as _db
from survey.models import Answer, FeedbackItem, Response
from survey.responses.submission import uid_digest
from tests.factories import make_defined_survey, make_unit

HEADER = (
    "submission_uid,unit,submitted_at,channel,lang,"
    "hl,ly_do,kenh,phong_trao,co_du,so_buoi,gioi_thieu,gop_y"
)


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "responses.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def count(model):
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def setup(db):
    make_unit(db, code="thon1", name="Thôn 1")
    return make_defined_survey(db)


def test_a_clean_file_is_imported(runner, db, tmp_path):
    survey = setup(db)
    path = write(
        tmp_path,
        "p-1,thon1,2025-10-12T09:30,paper,vi,2,Ít họp,loa,ntm|ngheo,1,3,8,",
        "p-2,,2025-10-12T10:00+07:00,,,5,,hop,,0,,,Tốt",
    )
    result = runner.invoke(args=["responses", "import", survey.code, path])
    assert result.exit_code == 0, result.output
    assert "Imported 2 responses" in result.output
    assert count(Response) == 2
    first = _db.session.scalar(
        sa.select(Response).where(Response.submission_uid == uid_digest("p-1"))
    )
    assert first.channel == "paper" and first.unit.code == "thon1"
    assert first.submitted_at.hour == 2  # 09:30 in Vietnam is 02:30 UTC
    second = _db.session.scalar(
        sa.select(Response).where(Response.submission_uid == uid_digest("p-2"))
    )
    assert second.channel == "import" and second.unit_id is None
    assert count(Answer) == 8 + 4
    assert _db.session.scalar(sa.select(FeedbackItem.text)) == "Ít họp"

    again = runner.invoke(args=["responses", "import", survey.code, path])
    assert again.exit_code == 0 and "2 were already there" in again.output
    assert count(Response) == 2


def test_bad_rows_are_all_reported_and_nothing_is_written(runner, db, tmp_path):
    survey = setup(db)
    path = write(
        tmp_path,
        "ok-1,thon1,2025-10-12T09:30,paper,vi,4,,loa,,1,3,8,",
        "bad-1,nowhere,2025-10-12T09:30,paper,vi,9,,loa,,1,3,8,",
        "bad-2,thon1,yesterday,fax,xx,4,,radio,ntm|x,1,99,8,",
        "ok-1,thon1,2025-10-12T09:30,paper,vi,4,,loa,,1,3,8,",
        "bad-3,thon1,2025-10-12T09:30,paper,vi,,,loa,,1,3,8,",
        "short,row",
    )
    result = runner.invoke(args=["responses", "import", survey.code, path])
    assert result.exit_code != 0
    out = result.output
    assert "line 3: unit: no village with code 'nowhere'" in out
    assert "line 3:" in out and "hl: '9'" in out
    assert "line 4: submitted_at: 'yesterday'" in out
    assert "channel: 'fax'" in out and "lang: 'xx'" in out and "kenh: 'radio'" in out
    assert "phong_trao: 'ntm|x'" in out and "so_buoi: '99'" in out
    assert "line 5: submission_uid 'ok-1' appears twice" in out
    assert "line 6: hl: Please answer this question." in out
    assert "line 7: 2 values for 13 columns" in out
    assert "nothing imported" in out
    assert count(Response) == 0 and count(Answer) == 0


def test_header_must_match_the_survey(runner, db, tmp_path):
    survey = setup(db)
    wrong_start = write(tmp_path, "x", header="uid,unit,submitted_at,channel,lang,hl")
    result = runner.invoke(args=["responses", "import", survey.code, wrong_start])
    assert result.exit_code != 0 and "line 1: the header must start with" in result.output
    unknown = write(tmp_path, "x", header="submission_uid,unit,submitted_at,channel,lang,hl,q99")
    result = runner.invoke(args=["responses", "import", survey.code, unknown])
    assert result.exit_code != 0 and "column 'q99' is not a question" in result.output


def test_same_uid_with_other_answers_is_refused(runner, db, tmp_path):
    survey = setup(db)
    runner.invoke(
        args=[
            "responses",
            "import",
            survey.code,
            write(tmp_path, "p-1,,2025-10-12T09:30,paper,vi,4,,loa,,,,,"),
        ]
    )
    changed = write(tmp_path, "p-1,,2025-10-12T09:30,paper,vi,5,,loa,,,,,")
    result = runner.invoke(args=["responses", "import", survey.code, changed])
    assert result.exit_code != 0
    assert "was imported before with other answers" in result.output
    assert count(Response) == 1


def test_hidden_questions_are_ignored_on_import(runner, db, tmp_path):
    survey = setup(db)
    # hl = 5 hides ly_do: its text is not stored.
    path = write(tmp_path, "p-1,,2025-10-12T09:30,paper,vi,5,ignored,loa,,,,,")
    assert runner.invoke(args=["responses", "import", survey.code, path]).exit_code == 0
    assert _db.session.scalar(sa.select(sa.func.count()).where(Answer.text.is_not(None))) == 0


def test_not_utf8_is_refused_clearly(runner, db, tmp_path):
    survey = setup(db)
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\np-1,,,,,4,,loa,,,,,Đẹp\n").encode("utf-16"))
    result = runner.invoke(args=["responses", "import", survey.code, str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert count(Response) == 0
