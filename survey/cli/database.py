"""`flask backup` and `flask restore`: the whole database to a file and back."""

import os

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from survey.audit import trail
from survey.core.backup import BackupError, backup, restore
from survey.core.extensions import db


@click.command("backup")
@click.option("-o", "--output", "path", required=True, help="The backup file to write.")
@with_appcontext
def backup_command(path):
    """Back up the whole database to a file (SQLite: a copy; PostgreSQL: pg_dump)."""
    try:
        kind = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    trail.record("database.backup", os.path.basename(path))
    db.session.commit()
    click.echo(f"Backed up the {kind} database to {path} ({os.path.getsize(path):,} bytes).")


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
