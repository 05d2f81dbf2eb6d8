"""Owner-only files: the instance folder (0700), the SQLite database with its -wal and -shm,
the secret key, backups, the demo sign-ins and every file the commands write (0600).

Slip codes open a member survey, a backup holds the accounts' password hashes, an export
holds every answer: nobody but the account the app runs as may read them. The tests run as
root here, so they look at the mode bits, never at whether a file can be opened.
"""

import os
import sqlite3
import stat

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from survey.core.extensions import db as _db
from tests.conftest import base_config
from tests.factories import make_defined_survey, make_unit
from tests.reports.test_dashboard_views import commune


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def sqlite_files(path):
    return [path, f"{path}-wal", f"{path}-shm"]


def test_a_new_instance_folder_is_owner_only(tmp_path, monkeypatch):
    folder = tmp_path / "new-instance"
    monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(folder))
    create_app()  # writes the secret key, making the folder
    assert mode(folder) == 0o700
    assert mode(folder / "secret_key") == 0o600


def test_an_existing_instance_folder_is_made_owner_only(instance_path, monkeypatch):
    os.chmod(instance_path, 0o755)
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")  # nothing written there
    create_app()
    assert mode(instance_path) == 0o700


def test_the_sqlite_database_its_wal_and_shm_are_owner_only(instance_path):
    """The default database in the instance folder, from its first migration on; files left
    readable by an older version are made owner-only on the next connection."""
    path = str(instance_path / "survey.sqlite")
    app = create_app({"SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{path}"
    with app.app_context():
        upgrade()
        with _db.engine.connect() as conn:  # an open connection keeps the -wal and -shm
            conn.execute(sa.text("CREATE TABLE probe (x)"))
            conn.commit()
            assert {f: mode(f) for f in sqlite_files(path)} == dict.fromkeys(
                sqlite_files(path), 0o600
            )
        _db.engine.dispose()

    # As an older version left them: world-readable, with a WAL still to be read.
    keep = sqlite3.connect(path)
    keep.execute("INSERT INTO probe VALUES (1)")
    keep.commit()
    for name in sqlite_files(path):
        os.chmod(name, 0o644)
    app = create_app({"SECRET_KEY": "x"})
    with app.app_context(), _db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM probe")).scalar() == 1
        assert {f: mode(f) for f in sqlite_files(path)} == dict.fromkeys(sqlite_files(path), 0o600)
    keep.close()
    with app.app_context():
        _db.engine.dispose()


def test_a_sqlite_database_elsewhere_is_owner_only_from_its_creation(tmp_path, instance_path):
    path = str(tmp_path / "elsewhere.sqlite")
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context(), _db.engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.commit()
        assert {f: mode(f) for f in sqlite_files(path)} == dict.fromkeys(sqlite_files(path), 0o600)
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def slips_survey(db):
    unit = make_unit(db, code="thon4", name="Thôn 4")
    questions = [{"code": "hl", "kind": "likert5", "required": True, "text": {"vi": "Hài lòng?"}}]
    survey = make_defined_survey(db, audience="member", topic="participation", questions=questions)
    db.session.commit()
    return survey, unit


def test_the_slips_file_is_owner_only_even_over_an_existing_file(runner, slips_survey, tmp_path):
    survey, _unit = slips_survey
    out = tmp_path / "out" / "slips.html"
    out.parent.mkdir()
    out.write_text("old slips", encoding="utf-8")
    os.chmod(out, 0o644)
    args = ["survey", "invite", survey.code, "--unit", "thon4", "--count", "3", "-o", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600 and "old slips" not in out.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["slips.html"]  # no temporary file left


def test_a_slips_file_that_cannot_be_written_leaves_no_codes(runner, slips_survey, tmp_path):
    from survey.models import Invitation

    survey, _unit = slips_survey
    out = tmp_path / "missing-folder" / "slips.html"
    args = ["survey", "invite", survey.code, "--unit", "thon4", "--count", "3", "-o", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "slips.html" in result.output
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_every_file_the_commands_write_is_owner_only(runner, db, tmp_path):
    survey = commune(db)
    written = {
        "backup.bin": ["backup"],
        "export.csv": ["survey", "export", survey.code, "--format", "csv"],
        "export.xlsx": ["survey", "export", survey.code, "--format", "xlsx"],
        **{
            f"report.{fmt}": ["report", "--year", "2025", "--format", fmt]
            for fmt in ("docx", "xlsx", "html")
        },
    }
    for name, args in written.items():
        result = runner.invoke(args=[*args, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert {name: mode(tmp_path / name) for name in written} == dict.fromkeys(written, 0o600)


def test_the_demo_sign_ins_are_owner_only_over_an_older_file(app, runner, instance_path):
    sign_ins = instance_path / "demo-sign-ins.txt"
    sign_ins.write_text("old", encoding="utf-8")
    os.chmod(sign_ins, 0o644)
    result = runner.invoke(args=["seed-demo", "--responses", "0", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    assert mode(sign_ins) == 0o600 and "vanphong" in sign_ins.read_text(encoding="utf-8")


def test_a_restored_sqlite_database_stays_owner_only(runner, db, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite database file; PostgreSQL keeps its own files")
    live = db.engine.url.database
    backup = tmp_path / "backup.bin"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    os.chmod(backup, 0o644)  # copied around by hand since
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert mode(live) == 0o600
