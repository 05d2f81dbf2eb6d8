"""One commune's data to a file: `flask backup --commune CODE`.

The file is a SQLite database of this application, at the live schema revision, that holds one
commune: its row in `commune` (and its province's, with the province's settings: the default
rule set its rating reads), every row with that commune's `commune_id` (its accounts and audit
entries among them; the province's own, of no commune, are left out), and the rows of the
tables without the column (questions, options, answers, the per-response sums, the link tables,
sign-ins) whose parent row is in. It is made the same way from either database kind, so a
commune of a province's PostgreSQL deployment can be read, handed over or served alone by an
embedded install (`flask restore` takes it as its whole database).

The rows are read from one snapshot: PostgreSQL's REPEATABLE READ transaction (told the
commune, so that the row-level security policies are a second filter), or, from SQLite, a copy
made by the online backup API first. A backup is written to a temporary file, checked (every
foreign key must find its row inside the file), and renamed into place; a failed one leaves no
file. An optional reference to a row outside the commune (the province officer who made one of
its administrators' accounts) is emptied; the row keeps the rest (the audit entry the officer's
name). Like the whole database's backup, it is readable by its owner only: it holds the
commune's accounts' password hashes.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from survey.core.backup import BackupError, sqlite_snapshot
from survey.core.extensions import db
from survey.core.tenancy import commune_scope
from survey.models.scoping import tell_database

CHUNK = 5000


def backup_commune(path: str, commune_id: int) -> dict[str, int]:
    """Write commune `commune_id`'s data to the SQLite file `path`; the rows per table."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise BackupError(f"{path}: the folder {directory} does not exist")
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".backup-", suffix=".part")
    os.close(handle)  # an empty file, owner-only: SQLite makes it a database
    try:
        target = sa.create_engine(f"sqlite:///{partial}", poolclass=sa.pool.NullPool)
        try:
            with _snapshot(directory) as source:
                revision = _head_revision(source)
                counts = _copy(source, target, commune_id, revision)
            _check(target)
        finally:
            target.dispose()
        os.replace(partial, path)
    finally:
        for leftover in (partial, partial + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
    return counts


@contextmanager
def _snapshot(directory):
    """A connection that reads one consistent state of the live database."""
    if db.engine.url.get_backend_name() == "sqlite":
        with sqlite_snapshot(db.engine.url, directory) as copy:
            engine = sa.create_engine(f"sqlite:///{copy}", poolclass=sa.pool.NullPool)
            try:
                with engine.connect() as conn:
                    yield conn
            finally:
                engine.dispose()
        return
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _head_revision(source) -> str:
    """The live schema revision, when it is this version's newest (the file is made from the
    models, which are the newest revision's schema)."""
    head = ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()
    live = source.execute(sa.text("SELECT max(version_num) FROM alembic_version")).scalar()
    if live != head:
        raise BackupError(
            f"the database is at schema revision {live}, not this version's {head}: "
            "upgrade it first (flask db upgrade)"
        )
    return head


def _copy(source, target, commune_id: int, revision: str) -> dict[str, int]:
    """Make the schema in `target` and copy into it the commune's rows of every table."""
    db.metadata.create_all(target)
    owned = _ownership(commune_id)
    counts = {}
    if source.dialect.name == "postgresql":
        with commune_scope(commune_id):
            tell_database(source)
    with target.begin() as out:
        out.exec_driver_sql("PRAGMA foreign_keys=OFF")
        out.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        out.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": revision})
        for table in db.metadata.sorted_tables:
            query = sa.select(table).where(owned[table.name]).order_by(*table.primary_key)
            rows = source.execution_options(yield_per=CHUNK).execute(query)
            counts[table.name] = 0
            for chunk in rows.partitions():
                out.execute(table.insert(), [dict(row._mapping) for row in chunk])
                counts[table.name] += len(chunk)
    return counts


def _ownership(commune_id: int) -> dict[str, sa.ColumnElement]:
    """For each table, the condition its rows of the commune meet."""
    commune = db.metadata.tables["commune"]
    owned = {
        "commune": commune.c.id == commune_id,
        "province": db.metadata.tables["province"].c.id.in_(
            sa.select(commune.c.province_id).where(commune.c.id == commune_id)
        ),
        # the province's default rule set: the commune's rating reads it
        "province_setting": sa.true(),
    }
    for table in db.metadata.sorted_tables:  # parents before children
        if table.name in owned:
            continue
        if "commune_id" in table.c:
            owned[table.name] = table.c.commune_id == commune_id
            continue
        owned[table.name] = _through_parent(table, owned)
    return owned


def _through_parent(table, owned) -> sa.ColumnElement:
    """A table without `commune_id`: its rows whose parent (a required foreign key) is in."""
    required = [
        fk
        for fk in table.foreign_key_constraints
        if not any(column.nullable for column in fk.columns) and fk.referred_table.name in owned
    ]
    if not required:
        raise BackupError(f"table {table.name}: no required parent to place its rows")
    # A parent that carries the commune itself makes the shortest test.
    fk = min(required, key=lambda c: "commune_id" not in c.referred_table.c)
    parent = fk.referred_table
    pairs = zip(fk.columns, fk.elements, strict=True)
    joined = [column == element.column for column, element in pairs]
    return sa.exists().where(*joined, owned[parent.name])


def _let_go_of_outside_rows(target) -> None:
    """Empty the optional references to rows outside the commune: a province officer who
    made one of its administrators, say (the audit entry keeps the name)."""
    with target.begin() as out:
        for table in db.metadata.sorted_tables:
            for fk in table.foreign_key_constraints:
                column = fk.columns[0]
                if len(fk.columns) != 1 or not column.nullable:
                    continue
                # An alias: a table may refer to itself (a survey to the one it follows).
                parent = fk.referred_table.alias().c[fk.elements[0].column.name]
                outside = ~sa.exists().where(parent == column)
                out.execute(
                    sa.update(table).where(column.is_not(None), outside).values({column.name: None})
                )


def _check(target) -> None:
    """Every foreign key of the file finds its row, and SQLite finds the file sound."""
    _let_go_of_outside_rows(target)
    with target.connect() as conn:
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            tables = sorted({f"{row[0]} -> {row[2]}" for row in broken})
            raise BackupError(
                "rows of the commune refer to rows outside it, so the backup would not stand "
                f"alone: {', '.join(tables)}; nothing was written"
            )
        sound = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
        if sound != "ok":
            raise BackupError(f"the backup file is not sound ({sound}); nothing was written")
