"""`flask backup` and `flask restore`: a restored backup gives the same evaluation, on SQLite
and on PostgreSQL; a wrong file changes nothing."""

import json
import os
import subprocess

import pytest
import sqlalchemy as sa

from survey.models import AnnualIndicator, AuditLog, Response
from tests import pg_archive
from tests.conftest import new_empty_database
from tests.factories import submit_and_commit
from tests.reports.test_dashboard_views import commune


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
        submit_and_commit(survey, {"hl1": 1, "hl2": 1}, submission_uid=f"later-{i}")
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


# --- PostgreSQL: pg_restore straight into the database, never a script through psql ----------


def needs_postgresql(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_restore and psql: PostgreSQL only")


def test_restore_runs_pg_restore_in_one_transaction_and_never_psql(
    runner, db, tmp_path, monkeypatch
):
    needs_postgresql(db)
    commune(db)
    path = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(path)]).exit_code == 0
    commands = []
    real_popen = subprocess.Popen

    def recording_popen(args, *rest, **kwargs):
        commands.append([str(a) for a in args])
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)  # subprocess.run goes through it
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    programs = [os.path.basename(command[0]) for command in commands]
    assert "psql" not in programs and set(programs) == {"pg_restore"}
    restoring = [c for c in commands if any(a.startswith("--dbname") for a in c)]
    assert len(restoring) == 1  # the only one that writes: the others read the file
    assert {"--single-transaction", "--exit-on-error", "--no-owner"} <= set(restoring[0])


def test_a_restore_does_not_wait_for_the_callers_own_transaction(db, tmp_path, monkeypatch):
    """A session that has read a table holds it until its transaction ends: restore ends it
    first, or pg_restore's DROPs wait for it for ever (here: a minute, then the test fails;
    the dump sets its own lock_timeout to 0, so only the client's timeout can bound it)."""
    import subprocess

    from survey.core.backup import backup, restore

    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: run(*a, **{**k, "timeout": 60}))

    needs_postgresql(db)
    commune(db)
    path = tmp_path / "backup.bin"
    backup(str(path))
    db.session.scalar(sa.select(sa.func.count()).select_from(Response))  # holds its lock
    restore(str(path))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 21


def hostile_copy(backup, target, sql):
    """`backup` with `sql` after the definition of table `unit`, as a hostile dump has it."""
    try:
        archive = pg_archive.read(backup.read_bytes())
    except pg_archive.UnknownArchive as unknown:
        pytest.skip(f"this pg_dump writes an archive the test cannot rewrite ({unknown})")
    entry = next(e for e in archive.entries if (e["desc"], e["tag"]) == (b"TABLE", b"unit"))
    entry["defn"] += b"\n" + sql.encode() + b"\n"
    target.write_bytes(pg_archive.write(archive))


def test_a_dump_carrying_a_psql_command_runs_nothing(runner, db, tmp_path):
    """A dump whose SQL has a psql meta-command on a line of its own (`\\! touch FILE` runs a
    shell in psql) restores nothing, runs nothing and changes nothing."""
    needs_postgresql(db)
    commune(db)
    before = evaluation(runner)
    backup, hostile = tmp_path / "backup.bin", tmp_path / "hostile.bin"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    marker = tmp_path / "pwned"
    hostile_copy(backup, hostile, f"\\! touch {marker}")

    # Honestly hostile: as a script, the dump carries the command, and a psql without the
    # \restrict guard (clients before 15.14, 16.10, 17.6), fed it as the old restore fed
    # psql, runs it.
    script = subprocess.run(
        ["pg_restore", "--file=-", str(hostile)], capture_output=True, text=True, check=True
    ).stdout
    assert f"\n\\! touch {marker}\n" in script
    unguarded = "".join(
        line for line in script.splitlines(True) if not line.startswith(("\\restrict", "\\unrest"))
    )
    with new_empty_database(tmp_path / "unused.sqlite") as scratch:
        libpq = sa.engine.make_url(scratch).set(drivername="postgresql")
        subprocess.run(
            ["psql", "-X", "-q", "--dbname", libpq.render_as_string(hide_password=False)],
            input=unguarded,
            capture_output=True,
            text=True,
        )
    assert marker.exists()
    marker.unlink()

    result = runner.invoke(args=["restore", str(hostile), "--yes"])
    db.session.remove()
    assert result.exit_code == 1 and "nothing was changed" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not marker.exists()
    assert evaluation(runner) == before


def test_a_backup_of_another_schema_revision_is_restored_whole(runner, db, tmp_path):
    """A backup older than the database's schema: the newer schema's tables do not survive,
    and a damaged one puts the database back as it was."""
    needs_postgresql(db)
    commune(db)
    before = evaluation(runner)
    backup = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    # A later revision's table, made as the tables' owner (the app's own role may not).
    db.session.execute(sa.text("RESET ROLE"))
    db.session.execute(sa.text("CREATE TABLE newer (survey_id int REFERENCES survey (id))"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'd8a30e455204'"))
    db.session.commit()
    db.session.remove()

    damaged = tmp_path / "damaged.bin"
    hostile_copy(backup, damaged, "SELECT 1/0;")
    result = runner.invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code == 1 and "put back as it was" in result.output, result.output
    db.session.remove()
    assert db.session.scalar(sa.text("SELECT to_regclass('public.newer')")) == "newer"
    assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == "d8a30e455204"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 21
    db.session.remove()

    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(sa.text("SELECT to_regclass('public.newer')")) is None
    assert db.session.scalar(sa.text("SELECT to_regclass('restore_previous.survey')")) is None
    assert evaluation(runner) == before


def test_a_backup_of_an_unknown_schema_revision_changes_nothing(runner, db, tmp_path):
    """A newer version's backup (or one that is not this app's) is refused before anything
    is replaced: before, on SQLite it replaced the database and then failed to upgrade it."""
    commune(db)
    before = evaluation(runner)
    head = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    db.session.commit()
    db.session.remove()
    newer = tmp_path / "newer.bin"
    assert runner.invoke(args=["backup", "-o", str(newer)]).exit_code == 0
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": head})
    db.session.commit()
    db.session.remove()

    result = runner.invoke(args=["restore", str(newer), "--yes"])
    assert result.exit_code == 1, result.output
    assert "'ffffffffffff' is not one of this version's" in result.output
    db.session.remove()
    assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == head
    assert evaluation(runner) == before
