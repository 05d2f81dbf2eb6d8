"""Backup and restore of the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving, and
restores a backup the same way into the live file (one lock, all pages or none). PostgreSQL:
`pg_dump --format=custom`; a restore replays it through `psql` after emptying the schema, all
in one transaction that is committed only when the whole dump was read, so a restore that
fails (a damaged or cut-short file too) leaves the database as it was, and tables of a newer
schema do not survive it. A backup is written to a temporary file and renamed into place, so a
failed one leaves no partial file; it is readable by its owner only (it holds everything, the
accounts' password hashes included).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile

import sqlalchemy as sa

from survey import private_files
from survey.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backup(path: str) -> str:
    """Write a backup of the database to `path`; return the kind ("sqlite" or "postgresql")."""
    url = db.engine.url
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise BackupError(f"{path}: the folder {directory} does not exist")
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".backup-", suffix=".part")
    os.close(handle)
    os.chmod(partial, 0o600)
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_file(url), partial)
        else:
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    partial,
                    _libpq(url),
                ],
                url,
            )
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return url.get_backend_name()


def restore(path: str) -> str:
    """Replace the whole database with the backup at `path`; return the revision it holds."""
    url = db.engine.url
    with open(path, "rb") as f:
        head = f.read(16)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path}: not a SQLite backup (this database is SQLite)")
        revision = _sqlite_revision(path)
        db.session.remove()
        db.engine.dispose()
        _sqlite_copy(path, _sqlite_file(url))
    else:
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{path}: not a pg_dump backup (this database is PostgreSQL)")
        db.session.remove()
        db.engine.dispose()
        _pg_restore(path, url)
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    db.session.remove()
    db.engine.dispose()
    return revision


def _sqlite_file(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing to back up")
    return url.database


def _sqlite_copy(source: str, target: str) -> None:
    """Copy `source` into `target` page by page, as one consistent snapshot."""
    src = sqlite3.connect(source)
    private_files.private_sqlite(target)  # a database restored where none was: owner-only
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_revision(path: str) -> str:
    # Opened for writing (nothing is written): read-only, SQLite overlooks a damaged schema.
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True)
    try:
        # A damaged file must not replace the database: its pages are checked before the copy.
        damage = conn.execute("PRAGMA quick_check").fetchone()[0]
        if damage != "ok":
            raise BackupError(f"{path}: the backup is damaged ({damage})")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as error:
        raise BackupError(f"{path}: not a backup of this application ({error})") from error
    finally:
        conn.close()
    if row is None:
        raise BackupError(f"{path}: not a backup of this application (no schema revision)")
    return row[0]


def _libpq(url) -> str:
    """The connection string pg_dump and pg_restore take (the password goes by PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _pg_restore(path: str, url) -> None:
    """Empty the schema and replay the dump, in one transaction (psql stops at an error).

    The transaction is committed only once pg_restore has read the whole dump: a damaged or
    cut-short file ends psql without COMMIT, and the server rolls everything back.
    """
    env = _pg_env(url)
    try:
        psql = subprocess.Popen(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "--dbname",
                _libpq(url),
                "-f",
                "-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        dump = subprocess.Popen(
            ["pg_restore", "--no-owner", "--no-privileges", "--file", "-", path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{error.filename} is not installed: install the PostgreSQL client (postgresql-client)"
        ) from error
    try:
        psql.stdin.write(b"BEGIN;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n")
        shutil.copyfileobj(dump.stdout, psql.stdin)
    except BrokenPipeError:
        pass  # psql stopped at an error: its message follows
    dump_errors = dump.communicate()[1]
    try:
        if dump.returncode == 0:
            psql.stdin.write(b"\nCOMMIT;\n")
        psql.stdin.close()
    except BrokenPipeError:
        pass
    with psql.stderr:
        psql_errors = psql.stderr.read()
    psql.wait()
    if dump.returncode != 0:
        raise BackupError(f"pg_restore failed: {_last_line(dump_errors, dump.returncode)}")
    if psql.returncode != 0:
        raise BackupError(
            f"psql failed, nothing was changed: {_last_line(psql_errors, psql.returncode)}"
        )


def _last_line(output: bytes, code: int) -> str:
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit status {code}"


def _pg_env(url) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(command: list[str], url) -> None:
    try:
        result = subprocess.run(
            command, env=_pg_env(url), capture_output=True, text=True, timeout=3600
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client (postgresql-client)"
        ) from error
    if result.returncode != 0:
        raise BackupError(
            f"{command[0]} failed: {_last_line((result.stderr or '').encode(), result.returncode)}"
        )
