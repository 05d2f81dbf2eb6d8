"""`flask backup` and `flask restore`: the whole database (or one commune's data) to a file,
and a whole database back."""

import os

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from survey.audit import trail
from survey.commune.backup import backup_commune
from survey.commune.tenants import CommuneError, chosen_commune
from survey.core.backup import BackupError, backup, restore
from survey.core.extensions import db
from survey.core.tenancy import across_communes, commune_scope

# What the message after a commune's backup counts.
HELD = {"survey": "surveys", "response": "responses", "answer": "answers", "user": "accounts"}


@click.command("backup")
@click.option("-o", "--output", "path", required=True, help="The backup file to write.")
@click.option(
    "--commune",
    "commune_code",
    help="only this commune's data, as a SQLite file (default: the whole deployment)",
)
@with_appcontext
def backup_command(path, commune_code):
    """Back up the whole database to a file (SQLite: a copy; PostgreSQL: pg_dump), or one
    commune's data (a SQLite file of this app holding that commune alone)."""
    if commune_code is not None:
        _backup_one_commune(path, commune_code)
        return
    try:
        kind = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    trail.record("database.backup", os.path.basename(path))
    db.session.commit()
    click.echo(f"Backed up the {kind} database to {path} ({os.path.getsize(path):,} bytes).")


def _backup_one_commune(path, code):
    with across_communes():
        try:
            commune = chosen_commune(code)
        except CommuneError as error:
            raise click.UsageError(str(error)) from None
        commune_id, code, name = commune.id, commune.code, commune.name
        db.session.rollback()
    try:
        counts = backup_commune(path, commune_id)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    with commune_scope(commune_id):
        trail.record("database.backup", os.path.basename(path), commune=code)
        db.session.commit()
    held = ", ".join(f"{counts[table]:,} {label}" for table, label in HELD.items())
    click.echo(
        f"Backed up commune {code} ({name}) to {path}: {held} ({os.path.getsize(path):,} bytes)."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path, yes):
    """Replace the whole database with a backup made by `flask backup`, then upgrade it."""
    if not yes:
        click.confirm(
            "Everything in the database will be replaced by the backup. Go on?", abort=True
        )
    try:
        revision = restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    upgrade()
    trail.record("database.restore", os.path.basename(path), revision=revision)
    db.session.commit()
    click.echo(f"Restored {path} (schema revision {revision}), then upgraded the schema.")
