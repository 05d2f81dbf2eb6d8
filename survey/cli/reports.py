"""`flask report`: the year-end report and the year's workbook."""

import click
from flask.cli import with_appcontext

from analytics import AnalyticsError
from survey.cli.files import write_file
from survey.reports.exports import report_file
from survey.reports.year_data import NothingToReport


@click.command("report")
@click.option("--year", type=int, required=True, help="The year to report on.")
@click.option(
    "--format",
    "output_format",
    required=True,
    type=click.Choice(["docx", "xlsx", "html"]),
    help="docx: the year-end report, editable; html: the same report, ready to print; xlsx: "
    "the year's workbook (ratings, criteria, question results, targets).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def report_command(year, output_format, output):
    """Write the year-end report (Vietnamese) or the year's workbook."""
    try:
        content = report_file(year, output_format)
    except NothingToReport as error:
        raise click.ClickException(f"--year {year}: {error}; nothing written") from None
    except AnalyticsError as error:
        raise click.ClickException(f"the commune's rule set: {error}") from None
    written = write_file(output, [content])
    click.echo(f"Wrote the {output_format} report for {year} ({written:,} bytes) to {output}.")
