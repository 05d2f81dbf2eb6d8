"""`flask tasks import`: the coordination programmes' tasks from CSV."""

import os

import click
from flask.cli import with_appcontext

from survey.cli.files import import_csv
from survey.programmes.importing import import_tasks


@click.group("tasks")
def tasks_group():
    """Tasks of the coordination programmes: import them from a CSV file."""


@tasks_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def tasks_import(path):
    """Import tasks from CSV: every row, or nothing when a row is wrong.

    Header: organization,programme,title,owner,due,done_at, then any of status,supporting,
    started,note. Dates YYYY-MM-DD; an empty done_at: not done. A programme named in the file
    is created in the year of the task's due date when it does not exist.
    """
    source = f"flask tasks import {os.path.basename(path)}"
    result = import_csv(path, lambda f: import_tasks(f, source=source))
    click.echo(f"Imported {result.tasks} tasks from {path} ({result.programmes} new programmes).")
