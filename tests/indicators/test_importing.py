"""`flask indicators import`: annual figures from CSV, the whole file or nothing."""

import pytest
import sqlalchemy as sa

from survey.audit.trail import COMMAND_LINE
from survey.core.extensions import db as _db
from survey.indicators.importing import IMPORT_COLUMNS
from survey.models import AnnualIndicator, AuditLog, Organization
from tests.factories import make_organization

# The example the report and the command's help describe: rates in percent, vetoes 1/0.
EXAMPLE = """\
organization,year,members_start,members_end,new_members,new_members_target,activities_required,\
activities_held,attendance_rate,attendance_target,campaign_members,supervision_planned,\
supervision_done,recommendations_issued,recommendations_answered,dialogues_planned,\
dialogues_held,shortcomings_identified,shortcomings_remedied,veto_discipline,veto_disunity,note
nongdan,2025,1219,1247,46,58,12,10,"65,7",70,622,4,3,6,4,2,1,3,2,0,0,Số liệu Văn phòng
phunu,2025,980,1010,52,49,12,12,81.5,70,700,4,5,6,6,2,2,3,3,0,1,
"""


def write(tmp_path, text, name="figures.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def rows():
    _db.session.expire_all()
    return {
        (org, ind.year): ind
        for ind, org in _db.session.execute(
            sa.select(AnnualIndicator, Organization.code).join(AnnualIndicator.organization)
        )
    }


def entries():
    _db.session.expire_all()
    return _db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()


@pytest.fixture
def orgs(db):
    make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_organization(db, code="phunu", name="Hội Liên hiệp Phụ nữ xã")
    db.session.commit()


def test_the_example_file_is_imported(runner, orgs, tmp_path):
    result = runner.invoke(args=["indicators", "import", write(tmp_path, EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged" in result.output
    found = rows()
    nongdan, phunu = found[("nongdan", 2025)], found[("phunu", 2025)]
    assert nongdan.members_start == 1219 and nongdan.shortcomings_remedied == 2
    assert nongdan.attendance_rate == pytest.approx(0.657)
    assert phunu.attendance_rate == pytest.approx(0.815)
    assert phunu.attendance_target == pytest.approx(0.7)
    assert phunu.supervision_done == 5  # more than planned is allowed
    assert nongdan.note == "Số liệu Văn phòng" and phunu.note == ""
    assert phunu.veto_disunity and not phunu.veto_discipline
    assert nongdan.updated_by_id is None

    audit = entries()
    assert [e.target for e in audit] == ["nongdan/2025", "phunu/2025"]
    assert all(e.username == COMMAND_LINE and e.user_id is None for e in audit)
    assert all(e.action == "indicator.update" for e in audit)
    assert audit[0].details["source"] == "flask indicators import figures.csv"
    assert audit[0].details["after"]["members_end"] == 1247
    assert audit[0].details["before"]["members_end"] is None


def test_existing_figures_are_updated_and_empty_cells_keep_them(runner, orgs, tmp_path):
    runner.invoke(args=["indicators", "import", write(tmp_path, EXAMPLE)])
    update = (
        "organization,year,members_end,attendance_rate,note\n"
        "nongdan,2025,1250,,\n"  # members_end changes; the rate and the note stay
        "phunu,2025,1010,,\n"  # as stored: unchanged
        "phunu,2024,900,60,Năm trước\n"
    )
    result = runner.invoke(args=["indicators", "import", write(tmp_path, update, "upd.csv")])
    assert result.exit_code == 0, result.output
    assert "1 added, 1 updated, 1 unchanged" in result.output
    found = rows()
    assert found[("nongdan", 2025)].members_end == 1250
    assert found[("nongdan", 2025)].attendance_rate == pytest.approx(0.657)
    assert found[("nongdan", 2025)].note == "Số liệu Văn phòng"
    assert found[("phunu", 2024)].attendance_rate == pytest.approx(0.6)

    audit = entries()
    assert len(audit) == 4  # two from the first file, one per changed row of the second
    assert audit[2].target == "nongdan/2025"
    assert audit[2].details["before"] == {"members_end": 1247}
    assert audit[2].details["after"] == {"members_end": 1250}
    assert audit[3].target == "phunu/2024"


def test_every_bad_row_is_named_and_nothing_is_written(runner, orgs, tmp_path):
    text = (
        "organization,year,members_start,members_end,new_members,attendance_rate,"
        "recommendations_issued,recommendations_answered,campaign_members,veto_discipline\n"
        "nongdan,2025,100,110,5,70,6,6,50,0\n"  # line 2: fine
        "hoinhau,2025,100,110,5,70,6,6,50,0\n"  # line 3: unknown organization
        "phunu,20x5,100,110,5,70,6,6,50,0\n"  # line 4: bad year
        "phunu,2024,-4,110,5,120,6,7,50,yes\n"  # line 5: four problems
        "phunu,2023,100,110,111,70,6,6,111,0\n"  # line 6: parts larger than the whole
        "nongdan,2025,100,110,5,70,6,6,50,0\n"  # line 7: same organization and year as line 2
        "phunu,2022,100,110\n"  # line 8: too few values
        "phunu,1990,1.200,110,5,70,6,6,50,0\n"  # line 9: old year, dotted number
    )
    result = runner.invoke(args=["indicators", "import", write(tmp_path, text)])
    assert result.exit_code != 0
    out = result.output
    expected = [
        "line 3, column organization: no organization with code 'hoinhau'",
        "line 4, column year: '20x5' is not a year like 2025",
        "line 5, column members_start: '-4': Cannot be below 0.",
        "line 5, column attendance_rate: '120': A percentage is from 0 to 100.",
        "line 5, column veto_discipline: 'yes': write 1 (yes) or 0 (no)",
        "line 5, column recommendations_answered: 7 is more than recommendations_issued (6).",
        "line 6, column new_members: 111 is more than members_end (110). Check both figures.",
        "line 6, column campaign_members: 111 is more than members_end (110).",
        "line 7, organization 'nongdan', year 2025: already on line 2",
        "line 8, 4 values for 10 columns",
        "line 9, column year: 1990 is outside 2000-",
        "line 9, column members_start: '1.200': Write a whole number without dots or commas",
        "nothing imported (12 problems)",
    ]
    for message in expected:
        assert message in out, f"{message!r} not in:\n{out}"
    assert "line 2" not in out.replace("already on line 2", "")
    assert rows() == {}
    assert entries() == []


def test_answered_cannot_exceed_the_stored_issued_figure(runner, orgs, tmp_path):
    runner.invoke(args=["indicators", "import", write(tmp_path, EXAMPLE)])
    text = "organization,year,recommendations_answered\nnongdan,2025,7\n"
    result = runner.invoke(args=["indicators", "import", write(tmp_path, text, "b.csv")])
    assert result.exit_code != 0
    assert (
        "line 2, column recommendations_answered: 7 is more than recommendations_issued (6)"
        in result.output
    )
    assert rows()[("nongdan", 2025)].recommendations_answered == 4


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("year,organization,members_start", "line 1: the header must start with organization,year"),
        ("organization,year,members", "line 1: column 'members' is not a figure; the columns are"),
        ("organization,year,note,note", "line 1: column 'note' appears twice"),
    ],
)
def test_a_wrong_header_is_refused(runner, orgs, tmp_path, header, message):
    text = header + "\nnongdan,2025,1\n"
    result = runner.invoke(args=["indicators", "import", write(tmp_path, text)])
    assert result.exit_code != 0
    assert message in result.output
    assert rows() == {}


def test_an_empty_file_and_a_non_utf8_file_are_refused(runner, orgs, tmp_path):
    result = runner.invoke(args=["indicators", "import", write(tmp_path, "")])
    assert result.exit_code != 0 and "line 1: the file is empty" in result.output
    path = tmp_path / "latin1.csv"
    path.write_bytes("organization,year,note\nnongdan,2025,Café\n".encode("latin-1"))
    result = runner.invoke(args=["indicators", "import", str(path)])
    assert result.exit_code != 0 and "not UTF-8 text" in result.output


def test_the_header_columns_are_the_model_fields():
    from survey.models import INDICATOR_COUNTS, INDICATOR_RATES

    figures = set(IMPORT_COLUMNS) - {"veto_discipline", "veto_disunity", "note"}
    assert figures == set(INDICATOR_COUNTS) | set(INDICATOR_RATES)
