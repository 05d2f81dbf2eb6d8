"""`flask evaluate`: the year's rating of every organization."""

import csv
import json
import sys

import click
from flask.cli import with_appcontext

from analytics import AnalyticsError, csv_rows, evaluation_text
from survey.cli.lookups import lookup
from survey.models import Organization
from survey.ratings.reading import year_document


@click.command("evaluate")
@click.option("--year", type=int, required=True, help="The year to rate.")
@click.option("--org", "org_code", default=None, help="Only this organization (code).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: readable, in Vietnamese; json: the Evaluation JSON "
    "(docs/contract.md#evaluation-json); csv: one row per organization and criterion.",
)
@with_appcontext
def evaluate_command(year, org_code, output_format):
    """Rate every organization for a year from its figures, surveys and feedback."""
    if org_code is not None:
        lookup(Organization, org_code, "--org")
    try:
        document = year_document(year, org_code)
    except AnalyticsError as error:
        raise click.ClickException(f"the commune's rule set: {error}") from None
    if output_format == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerows(csv_rows(document))
    else:
        click.echo(evaluation_text(document))
