"""`flask report`: the year-end report and the year's workbook."""

import click
from flask.cli import with_appcontext

from analytics import AnalyticsError
from survey.cli.files import write_file
from survey.reports.exports import REPORT_KINDS, report_file
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
@click.option(
    "--kind",
    type=click.Choice(REPORT_KINDS),
    default="rating",
    show_default=True,
    help="rating: the year-end rating report (docx, html) or workbook (xlsx); resolution: the "
    "report on carrying out the resolution, its targets and tasks (docx, html).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def report_command(year, output_format, kind, output):
    """Write the year-end report (Vietnamese), the year's workbook, or the report on carrying
    out the resolution."""
    if kind == "resolution" and output_format == "xlsx":
        raise click.BadParameter(
            "the report on the resolution is written as docx or html", param_hint="--format"
        )
    try:
        content = report_file(year, output_format, kind)
    except NothingToReport as error:
        raise click.ClickException(f"--year {year}: {error}; nothing written") from None
    except AnalyticsError as error:
        raise click.ClickException(f"the commune's rule set: {error}") from None
    written = write_file(output, [content])
    what = "report on the resolution" if kind == "resolution" else "report"
    click.echo(f"Wrote the {output_format} {what} for {year} ({written:,} bytes) to {output}.")
