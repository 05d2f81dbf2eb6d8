"""Backup and restore of the whole database.

SQLite: the online backup API copies a consistent snapshot while the app keeps serving, and
restores a backup the same way into the live file (one lock, all pages or none). PostgreSQL:
`pg_dump --format=custom`, restored by `pg_restore --single-transaction` straight into the
database: no SQL script passes through `psql`, so nothing in a dump (an object name, a comment)
can be read as one of psql's commands (`\\! command` runs a shell). A dump of this schema
revision replaces the objects it holds in that one transaction (--clean), so a restore that
fails (a damaged or cut-short file too) leaves the database as it was; one of another revision
is restored into a new, empty schema while the old one is set aside, dropped once the restore
is committed or put back when it fails, so that tables of a newer schema do not survive it.
Either way a backup's schema revision must be one this version of the app knows, or nothing is
changed. A backup is written to a temporary file and renamed into place, so a failed one leaves
no partial file; it is readable by its owner only (it holds everything, the accounts' password
hashes included).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from survey.core import private_files
from survey.core.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
# Where the live schema waits while a backup of another revision is restored.
SET_ASIDE = "restore_previous"
RESTORE = ["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]


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
        revision = _known_revision(path, _sqlite_revision(path))
        db.session.remove()
        db.engine.dispose()
        _sqlite_copy(path, _sqlite_file(url))
    else:
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{path}: not a pg_dump backup (this database is PostgreSQL)")
        revision = _known_revision(path, _dump_revision(path, url))
        # The caller's own transaction would hold its tables against pg_restore's DROPs.
        db.session.remove()
        _pg_restore(path, url, revision)
        grant_app_role()
    db.session.remove()
    db.engine.dispose()
    return revision


def _sqlite_file(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing to back up")
    return url.database


@contextmanager
def sqlite_snapshot(url, directory: str):
    """The path of an owner-only copy of the live SQLite database (one consistent snapshot,
    made while the app keeps serving), in `directory`; removed afterwards."""
    handle, copy = tempfile.mkstemp(dir=directory, prefix=".snapshot-", suffix=".part")
    os.close(handle)
    try:
        _sqlite_copy(_sqlite_file(url), copy)
        yield copy
    finally:
        if os.path.exists(copy):
            os.remove(copy)


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


def _known_revision(path: str, revision) -> str:
    """`revision`, when this version of the app has it among its migrations."""
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    if revision not in {found.revision for found in script.walk_revisions()}:
        raise BackupError(
            f"{path}: made by another version of the app (schema revision "
            f"{str(revision)[:40]!r} is not one of this version's); nothing was changed"
        )
    return revision


def _dump_revision(path: str, url) -> str:
    """The schema revision in the dump's alembic_version, read as text (not restored)."""
    command = ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", path]
    lines = _run(command, url).splitlines()
    for line, following in zip(lines, lines[1:], strict=False):
        if line.startswith("COPY ") and "alembic_version" in line and following != "\\.":
            return following
    raise BackupError(f"{path}: not a backup of this application (no schema revision)")


def _pg_restore(path: str, url, revision: str) -> None:
    """Restore the dump in one pg_restore transaction (see the module's docstring)."""
    with db.engine.begin() as conn:
        if conn.execute(_SCHEMA_EXISTS, {"name": SET_ASIDE}).scalar():
            raise BackupError(
                f"an earlier restore was cut short: schema {SET_ASIDE} holds the database as it "
                "was before it; see which schema to keep, drop the other, then restore again"
            )
        live = _live_revision(conn)
    db.engine.dispose()
    command = [*RESTORE, "--dbname", _libpq(url), path]
    if live in (None, revision):
        # The same objects: each is dropped and made again from the dump, all in one go.
        _run([*command[:1], "--clean", "--if-exists", *command[1:]], url, "nothing was changed")
        return
    _move_schemas(f"ALTER SCHEMA public RENAME TO {SET_ASIDE}", "CREATE SCHEMA public")
    try:
        _run(command, url, "the database was put back as it was")
    except BaseException:
        _move_schemas("DROP SCHEMA public CASCADE", f"ALTER SCHEMA {SET_ASIDE} RENAME TO public")
        raise
    _move_schemas(f"DROP SCHEMA {SET_ASIDE} CASCADE")


_SCHEMA_EXISTS = sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :name")

# What the application's role (DATABASE_ROLE) may do: what the migration 'communes as
# tenants' grants it, and a restore (whose dump carries no privileges) grants again.
_GRANTS = (
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
)


def grant_app_role() -> None:
    """Give the application's role its privileges on the tables (after a restore); nothing
    when none is configured or the role does not exist."""
    role = current_app.config.get("DATABASE_ROLE")
    if not role:
        return
    with db.engine.begin() as conn:
        known = sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role")
        if conn.execute(known, {"role": role}).first() is None:
            return
        quoted = conn.dialect.identifier_preparer.quote(role)
        for grant in _GRANTS:
            conn.execute(sa.text(grant.format(role=quoted)))
    db.engine.dispose()


def _live_revision(conn):
    """The database's schema revision; None when it is empty, or holds no app of ours."""
    if conn.execute(sa.text("SELECT to_regclass('public.alembic_version')")).scalar() is None:
        return None
    return conn.execute(sa.text("SELECT max(version_num) FROM public.alembic_version")).scalar()


def _move_schemas(*statements: str) -> None:
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    db.engine.dispose()


def _pg_env(url) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(command: list[str], url, failed: str = "") -> str:
    """Run a PostgreSQL client program; its output, or BackupError with the first error line."""
    try:
        result = subprocess.run(
            command,
            env=_pg_env(url),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=3600,
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client (postgresql-client)"
        ) from error
    if result.returncode != 0:
        lines = (result.stderr or "").strip().splitlines()
        first = next((line for line in lines if "error:" in line), None)
        problem = (first or (lines[-1] if lines else f"exit status {result.returncode}"))[:300]
        raise BackupError(f"{command[0]} failed{', ' + failed if failed else ''}: {problem}")
    return result.stdout
