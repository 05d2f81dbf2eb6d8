"""`flask backup` and `flask restore`: a restored backup gives the same evaluation, on SQLite
and on PostgreSQL; a wrong file changes nothing."""

import json

import sqlalchemy as sa

from survey.models import AnnualIndicator, AuditLog, Response
from survey.responses import submit_response
from tests.views.test_dashboard import commune


def evaluation(runner):
    result = runner.invoke(args=["evaluate", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_restored_backup_gives_the_same_evaluation(runner, db, tmp_path):
    survey = commune(db)
    before = evaluation(runner)
    path = tmp_path / "backup.bin"
    result = runner.invoke(args=["backup", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert path.stat().st_mode & 0o777 == 0o600
    # Later changes: more answers, other figures
    for i in range(30):
        submit_response(survey, {"hl1": 1, "hl2": 1}, submission_uid=f"later-{i}")
    db.session.execute(sa.update(AnnualIndicator).values(activities_held=1))
    db.session.commit()
    assert evaluation(runner) != before
    db.session.remove()

    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert evaluation(runner) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 21
    last = db.session.scalar(sa.select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    assert last.action == "database.restore" and last.target == "backup.bin"


def test_a_file_that_is_not_a_backup_changes_nothing(runner, db, tmp_path):
    commune(db)
    before = evaluation(runner)
    path = tmp_path / "notes.txt"
    path.write_text("not a backup", encoding="utf-8")
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert "not a" in result.output and "backup" in result.output
    assert evaluation(runner) == before


def test_restore_asks_first(runner, db, tmp_path):
    commune(db)
    path = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(path)]).exit_code == 0
    result = runner.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output


def test_backup_into_a_missing_folder_is_refused(runner, db, tmp_path):
    result = runner.invoke(args=["backup", "-o", str(tmp_path / "nowhere" / "b.bin")])
    assert result.exit_code == 1 and "does not exist" in result.output
