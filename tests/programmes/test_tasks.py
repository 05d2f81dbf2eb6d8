"""Tasks of the coordination programmes: the CSV import (whole or nothing, every kind of bad
row named), and what the rating reads: tasks on time on hand-made data, and an organization
with one late task cannot be rated "tốt"."""

from datetime import date

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Programme, Task
from survey.programmes.tasks import task_counts
from survey.ratings.evaluation import evaluate_year
from tests.factories import make_indicator, make_organization, save_setting

HEADER = "organization,programme,title,owner,due,done_at,status,note\n"


@pytest.fixture
def commune(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    db.session.commit()
    return nongdan, phunu


def run_import(runner, tmp_path, text):
    path = tmp_path / "tasks.csv"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["tasks", "import", str(path)])


def count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_good_file_makes_its_programmes_and_tasks(runner, db, commune, tmp_path):
    text = HEADER + (
        "nongdan,Chương trình phối hợp giảm nghèo,Tập huấn kỹ thuật,Phạm Văn Thành,"
        "2025-06-30,2025-06-28,,\n"
        "phunu,Chương trình phối hợp giảm nghèo,Vay vốn hộ nghèo,Nguyễn Thị Mai,"
        "2025-09-30,,,\n"
        "phunu,Chương trình phối hợp giảm nghèo,Hội thi,Nguyễn Thị Mai,"
        "2025-10-30,,cancelled,Bão số 3\n"
    )
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "Imported 3 tasks" in result.output and "(1 new programmes)" in result.output
    programme = db.session.scalar(sa.select(Programme))
    assert programme.year == 2025 and {o.code for o in programme.parties} == {"nongdan", "phunu"}
    statuses = sorted(db.session.scalars(sa.select(Task.status)))
    assert statuses == ["cancelled", "done", "planned"]
    assert db.session.scalar(sa.select(AuditLog.action)) == "tasks.import"


def test_a_bad_file_imports_nothing_and_names_every_problem(runner, db, commune, tmp_path):
    text = HEADER + (
        "nongdan,P,Tập huấn,An,2025-06-30,2025-06-28,,\n"  # good
        "xx,P,Tập huấn,An,2025-06-30,,,\n"  # unknown organization
        "nongdan,,Tập huấn,An,2025-06-30,,,\n"  # no programme
        "nongdan,P,Tập huấn,An,30/06/2025,,,\n"  # not ISO
        "nongdan,P,Tập huấn,An,,,,\n"  # no due date
        "nongdan,P,Tập huấn,An,2025-06-30,,done,\n"  # done without a day
        "nongdan,P,Tập huấn,An,2025-06-30,,cancelled,\n"  # cancelled without a reason
        "nongdan,P,Tập huấn,An,2025-06-30,,finished,\n"  # unknown status
        "nongdan,P,Tập huấn\n"  # too few values
    )
    result = run_import(runner, tmp_path, text)
    assert result.exit_code != 0 and "nothing imported (8 problems)" in result.output
    for expected in (
        "line 3, column organization: unknown organization 'xx'",
        "line 4, column programme: empty",
        "line 5, column due: not a date YYYY-MM-DD: '30/06/2025'",
        "line 6, column due: empty",
        "line 7, column done_at: a task is done exactly when it has a done_at",
        "line 8, column note: a cancelled task needs its reason",
        "line 9, column status: must be one of planned, in_progress, done, cancelled",
        "line 10: 3 values for 8 columns",
    ):
        assert expected in result.output, expected
    assert count(db, Task) == 0 and count(db, Programme) == 0
    missing = run_import(runner, tmp_path, "organization,programme,title\n")
    assert "line 1: missing column 'owner'" in missing.output


FULL_HEADER = "organization,programme,title,owner,due,done_at,status,supporting,started,note\n"


def test_the_optional_columns_are_read(runner, db, commune, tmp_path):
    text = FULL_HEADER + (
        "nongdan,P,Tập huấn,Phạm Văn Thành,2025-06-30,,,Hội Phụ nữ; Đoàn Thanh niên,"
        "2025-05-02,Đã mời giảng viên\n"
        "phunu,P,Hội thi,Nguyễn Thị Mai,2025-10-30,,cancelled,,,Bão số 3\n"
    )
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 0, result.output
    started, cancelled = db.session.scalars(sa.select(Task).order_by(Task.due_on))
    assert started.status == "in_progress" and started.started_on == date(2025, 5, 2)
    assert started.supporting == "Hội Phụ nữ; Đoàn Thanh niên"
    assert started.note == "Đã mời giảng viên"
    assert cancelled.status == "cancelled" and cancelled.note == "Bão số 3"
    assert cancelled.started_on is None and cancelled.supporting == ""


def test_every_other_kind_of_bad_row_is_named_and_nothing_imported(runner, db, commune, tmp_path):
    long_title = "x" * 301
    text = FULL_HEADER + (
        "nongdan,P,Tập huấn,An,2025-06-30,,,,,\n"  # good
        "nongdan,P,,An,2025-06-30,,,,,\n"  # no title
        "nongdan,P,Tập huấn,,2025-06-30,,,,,\n"  # no owner
        f"nongdan,P,{long_title},An,2025-06-30,,,,,\n"  # too long
        "nongdan,P,Tập huấn,An,2025-06-30,2025-06-31,,,,\n"  # no such day
        "nongdan,P,Tập huấn,An,2025-06-30,,,,2025/05/01,\n"  # start not ISO
        "nongdan,P,Tập huấn,An,2025-04-30,,,,2025-05-01,\n"  # due before the start
        "nongdan,P,Tập huấn,An,2025-06-30,2025-04-30,,,2025-05-01,\n"  # done before start
        "nongdan,P,Tập huấn,An,2999-06-30,2999-06-30,,,,\n"  # done after today
        "nongdan,P,Tập huấn,An,2025-06-30,,,,,,\n"  # too many values
    )
    result = run_import(runner, tmp_path, text)
    assert result.exit_code != 0 and "nothing imported (9 problems)" in result.output
    for expected in (
        "line 3, column title: empty",
        "line 4, column owner: empty",
        "line 5, column title: longer than 300 characters",
        "line 6, column done_at: not a date YYYY-MM-DD: '2025-06-31'",
        "line 7, column started: not a date YYYY-MM-DD: '2025/05/01'",
        "line 8, column due: before the start 2025-05-01",
        "line 9, column done_at: before the start 2025-05-01",
        "line 10, column done_at: after today",
        "line 11: 11 values for 10 columns",
    ):
        assert expected in result.output, expected
    assert count(db, Task) == 0 and count(db, Programme) == 0
    unknown = run_import(runner, tmp_path, FULL_HEADER.replace("note", "ghi_chu") + "\n")
    assert "line 1: unknown column 'ghi_chu'" in unknown.output
    twice = run_import(runner, tmp_path, FULL_HEADER.replace("note", "owner") + "\n")
    assert "line 1: a column is named twice" in twice.output
    assert count(db, Task) == 0


def _task(db, programme, org, due, done=None, status=None, note=""):
    db.session.add(
        Task(
            programme=programme,
            organization_id=org.id,
            title="Việc",
            owner="An",
            due_on=due,
            done_on=done,
            status=status or ("done" if done else "planned"),
            note=note,
        )
    )


def test_tasks_on_time_on_hand_made_tasks(db, commune):
    nongdan, phunu = commune
    programme = Programme(year=2025, title="P")
    db.session.add(programme)
    _task(db, programme, nongdan, date(2025, 3, 31), done=date(2025, 3, 31))  # on the day
    _task(db, programme, nongdan, date(2025, 4, 30), done=date(2025, 5, 1))  # a day late
    _task(db, programme, nongdan, date(2025, 5, 31))  # due, not done
    _task(db, programme, nongdan, date(2025, 6, 30), status="cancelled", note="Bão")  # left out
    _task(db, programme, nongdan, date(2025, 12, 31))  # not due yet on 1 July
    _task(db, programme, phunu, date(2024, 12, 31), done=date(2025, 1, 5))  # last year's
    db.session.commit()
    counts = task_counts(2025, today=date(2025, 7, 1))
    assert counts[nongdan.id].total == 3 and counts[nongdan.id].done == 2
    assert counts[nongdan.id].late == 1 and counts[nongdan.id].on_time == 1
    assert phunu.id not in counts


def test_one_late_task_keeps_an_organization_from_good(db, commune):
    nongdan, phunu = commune
    make_indicator(db, nongdan)
    make_indicator(db, phunu)
    programme = Programme(year=2025, title="P")
    db.session.add(programme)
    for org in (nongdan, phunu):
        for month in (1, 2, 3, 4):
            _task(db, programme, org, date(2025, month, 28), done=date(2025, month, 20))
    _task(db, programme, nongdan, date(2025, 5, 30), done=date(2025, 6, 2))  # one late of five
    db.session.commit()
    results = {r.code: r.rating for r in evaluate_year(2025).results}
    assert results["phunu"].tier in ("tot", "xuat_sac")
    assert results["nongdan"].tier == "hoan_thanh"  # 20% late: still completed, not good
    condition = next(c for c in results["nongdan"].conditions if c.code == "tasks_on_time")
    assert condition.met is False and condition.value == pytest.approx(0.8)
    assert condition.detail == {
        "due": 5,
        "on_time": 4,
        "late": 1,
        "not_done": 0,
        "done": 5,
        "late_share": 0.2,
    }


# Ten points moved from satisfaction to the tasks (criteria merge by code).
TASKS_WEIGHTED = """
[[criteria]]
code = "satisfaction"
group = "results"
weight = 5
target = 0.7

[[criteria]]
code = "tasks_on_time"
group = "results"
weight = 10
target = 1.0
"""


def test_a_rule_set_may_weigh_tasks_on_time_as_a_criterion(db, commune):
    """Scored from the task records when the rule set gives it a weight; with no task due it
    is left out, its weight spread over the others, as a criterion without figures."""

    nongdan, phunu = commune
    make_indicator(db, nongdan)
    make_indicator(db, phunu)
    save_setting(db, "RULES_TOML", value=TASKS_WEIGHTED)
    programme = Programme(year=2025, title="P")
    db.session.add(programme)
    for month in (1, 2, 3):
        _task(db, programme, nongdan, date(2025, month, 28), done=date(2025, month, 20))
    _task(db, programme, nongdan, date(2025, 4, 28), done=date(2025, 5, 2))
    db.session.commit()
    results = {r.code: r.rating for r in evaluate_year(2025).results}
    tasks = results["nongdan"].criterion("tasks_on_time")
    assert tasks.value == pytest.approx(0.75) and tasks.n == 4 and tasks.source == "tasks"
    assert tasks.points == pytest.approx(0.75 * tasks.weight) and tasks.status == "not_met"
    assert tasks.evidence == {"due": 4, "on_time": 3, "late": 1, "not_done": 0}
    none_due = results["phunu"].criterion("tasks_on_time")
    assert none_due.status == "insufficient" and none_due.weight == 0
