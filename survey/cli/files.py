"""Files the commands write and read: owner-only output written whole, CSV imports that are
all or nothing."""

import click
from flask_babel import force_locale

from survey.core import private_files
from survey.core.extensions import db
from survey.responses.importing import ImportRejected


def write_file(output, chunks):
    """Write `chunks` (bytes) to `output`, readable by its owner only (it holds answers, or
    live slip codes), whole or not at all; return the bytes written."""
    try:
        return private_files.write_private_file(output, chunks)
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from None


def import_csv(path, run):
    """Run an all-or-nothing import of the CSV at `path`: commit, or roll back and name
    every problem. English throughout, answer-rule messages included."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f, force_locale("en"):
            result = run(f)
        db.session.commit()
    except ImportRejected as rejected:
        db.session.rollback()
        for line in rejected.errors:
            click.echo(f"{path}: {line}", err=True)
        count = len(rejected.errors)
        raise click.ClickException(f"{path}: nothing imported ({count} problems)") from None
    except UnicodeDecodeError:
        db.session.rollback()
        raise click.ClickException(f"{path}: not UTF-8 text; save the file as CSV UTF-8") from None
    return result
