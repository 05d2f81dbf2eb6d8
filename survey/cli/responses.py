"""`flask responses import`: bulk or paper responses from CSV."""

import click
from flask.cli import with_appcontext

from survey.cli.files import import_csv
from survey.cli.lookups import survey_named
from survey.responses.importing import import_responses
from survey.responses.release import release_ready


@click.group("responses")
def responses_group():
    """Responses: import bulk or paper responses."""


@responses_group.command("import")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def responses_import(code, path):
    """Import responses from a CSV file: the whole file, or nothing when a row is wrong."""
    survey = survey_named(code)
    result = import_csv(path, lambda f: import_responses(survey, f))
    release_ready(survey.id)  # imported rows wait for their batch like any others
    click.echo(
        f"Imported {result.added} responses into {code}"
        + (f" ({result.already_there} were already there)" if result.already_there else "")
        + "."
    )
