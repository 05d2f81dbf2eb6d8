"""`flask indicators import`: annual figures from CSV."""

import os

import click
from flask.cli import with_appcontext

from survey.cli.files import import_csv
from survey.indicators.importing import import_indicators


@click.group("indicators")
def indicators_group():
    """Annual figures: import them from a CSV file."""


@indicators_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def indicators_import(path):
    """Import annual figures from CSV: every row, or nothing when a row is wrong.

    Header: organization,year, then any of the figure columns (members_start, ...,
    veto_discipline, veto_disunity, note). Rates are percentages 0-100; vetoes 1 or 0; an empty
    cell keeps the stored value. Existing figures of an organization and year are updated.
    """
    source = f"flask indicators import {os.path.basename(path)}"
    result = import_csv(path, lambda f: import_indicators(f, source=source))
    click.echo(
        f"Imported annual figures from {path}: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )
