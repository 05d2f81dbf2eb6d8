"""`flask survey ...`: list, load, dump, open, close, print slips, export responses."""

import json
import os

import click
from flask.cli import with_appcontext

from survey.cli.files import write_file
from survey.cli.lookups import lookup, survey_named
from survey.core.extensions import db
from survey.models import AUDIENCES, TOPICS, Unit
from survey.reports.exports import survey_export
from survey.responses.catalog import survey_listing
from survey.responses.release import release_ready
from survey.responses.slips import slips_html
from survey.surveys.definitions import DefinitionError, dump_definition, survey_from_definition
from survey.surveys.survey_fields import survey_codes_taken
from survey.surveys.xlsform_export import xlsform_bytes
from survey.surveys.xlsform_findings import english
from survey.surveys.xlsform_import import MAX_XLSFORM_BYTES, XLSFormError, read_xlsform
from survey.surveys.xlsform_media import (
    attach_named_audio,
    folder_reader,
    media_folder,
    recordings,
)

# A survey of 200 questions in two languages is some 200 KB.
MAX_DEFINITION_BYTES = 10 * 2**20


@click.group("survey")
def survey_group():
    """Surveys: load, open, close, print invitation slips, export responses."""


def shortened(message, keep=150):
    """A message that quotes a huge value, cut in its middle: one readable line.

    >>> shortened("code: '" + "x" * 1000 + "' must be short", keep=16)
    "code: 'xxxxxxxxx … x' must be short"
    """
    if len(message) <= 2 * keep + 3:
        return message
    return f"{message[:keep]} … {message[-keep:]}"


@survey_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
@with_appcontext
def survey_list(as_json):
    """List surveys: code, title, audience, topic, year, status, organizations, responses."""
    rows = [
        {
            "code": survey.code,
            "title": survey.text("title", "vi"),
            "audience": survey.audience,
            "topic": survey.topic,
            "year": survey.year,
            "status": survey.status,
            "organizations": [org.code for org in survey.organizations],
            "responses": responses,
        }
        for survey, responses in survey_listing()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['code']:<28} {row['year']} {row['status']:<6} {row['audience']:<6} "
            f"{row['topic']:<13} {row['responses']:>7}  {','.join(row['organizations'])}  "
            f"{row['title']}"
        )


@survey_group.command("dump")
@click.argument("code")
@with_appcontext
def survey_dump(code):
    """Print a survey's definition (JSON), as `survey load` reads it."""
    click.echo(json.dumps(dump_definition(survey_named(code)), ensure_ascii=False, indent=2))


@survey_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def survey_load(path):
    """Create a survey, as a draft, from a definition file (JSON)."""
    size = os.path.getsize(path)
    if size > MAX_DEFINITION_BYTES:
        raise click.ClickException(
            f"{path}: {size / 2**20:.1f} MB; a survey definition is at most "
            f"{MAX_DEFINITION_BYTES // 2**20} MB"
        )
    try:
        with open(path, encoding="utf-8") as f:
            definition = json.load(f)
    except json.JSONDecodeError as error:
        message = f"{path}: not valid JSON (line {error.lineno}: {error.msg})"
        raise click.ClickException(message) from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except RecursionError:
        raise click.ClickException(f"{path}: nested too deeply for a survey definition") from None
    if isinstance(definition, dict):  # anything else is refused by the check below
        definition.pop("status", None)  # always a draft: open it when it is ready
    try:
        survey = survey_from_definition(definition)
        db.session.commit()
    except DefinitionError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {shortened(str(error))}") from None
    click.echo(f"Loaded survey {survey.code} ({len(survey.questions)} questions) as a draft.")


@survey_group.command("open")
@click.argument("code")
@with_appcontext
def survey_open(code):
    """Open a survey for answers."""
    _set_status(code, "open")


@survey_group.command("close")
@click.argument("code")
@with_appcontext
def survey_close(code):
    """Close a survey: it takes no more answers."""
    _set_status(code, "closed")


def _set_status(code, status):
    survey = survey_named(code)
    survey.status = status
    db.session.commit()
    if status == "closed":
        release_ready(survey.id, everything=True)
    click.echo(f"Survey {code} is {status}.")


@survey_group.command("invite")
@click.argument("code")
@click.option("--unit", "unit_code", required=True, help="Village code printed on the slips.")
@click.option("--count", required=True, type=click.IntRange(1, 5000), help="Number of slips.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def survey_invite(code, unit_code, count, output):
    """Create single-use invitations for a member survey and write printable A4 slips."""
    survey = survey_named(code)
    if survey.audience != "member":
        raise click.ClickException(f"survey {code!r} is for the public: it needs no invitations")
    unit = lookup(Unit, unit_code, "--unit")
    page = slips_html(survey, unit, count)
    # Write first, then commit: a file that cannot be written leaves no unprinted codes behind.
    # The codes are live: the file is readable by its owner only.
    try:
        write_file(output, [page.encode("utf-8")])
    except click.ClickException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"Wrote {count} slips for {unit.name} to {output}. Print it, then delete the file.")


@survey_group.command("export")
@click.argument("code")
@click.option(
    "--format",
    "output_format",
    required=True,
    type=click.Choice(["csv", "xlsx", "sav", "dta"]),
    help="csv: the Response CSV (docs/contract.md#response-csv); xlsx: the same rows, with "
    "the question results; sav, dta: the same rows for SPSS or Stata, with labels.",
)
@click.option(
    "--lang",
    default=None,
    help="sav and dta only: the language of the labels, one of the survey's (default vi).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def survey_export_command(code, output_format, lang, output):
    """Write a survey's responses, anonymized, as CSV, XLSX, SPSS (sav) or Stata (dta).

    Anonymized: no receipt codes, start times or durations; submitted_at is the day only
    (commune time); the submission_uid column holds a row id made afresh for each export, not
    the stored uid; the village is left empty for the villages whose results are hidden (fewer
    respondents than the commune's suppression threshold). Rows are in no particular order.
    The CSV imports again with `flask responses import`.
    """
    survey = survey_named(code)
    if lang is not None and output_format not in ("sav", "dta"):
        raise click.ClickException(
            "--lang is for --format sav or dta: the CSV holds codes, the workbook is in Vietnamese"
        )
    languages = survey.languages or ["vi"]
    if lang is not None and lang not in languages:
        raise click.ClickException(
            f"--lang: survey {code!r} has no {lang!r} text; its languages: {', '.join(languages)}"
        )
    written = write_file(output, survey_export(survey, output_format, lang or "vi"))
    click.echo(f"Wrote the responses of {code} ({output_format}, {written:,} bytes) to {output}.")


@survey_group.command("import-xlsform")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--code", help="The survey's code (default: form_id of the settings sheet).")
@click.option("--year", type=click.IntRange(2000, 2100), help="Default: the settings sheet's.")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Default: public.")
@click.option("--topic", type=click.Choice(TOPICS), help="Default: other.")
@click.option("--strict", is_flag=True, help="Refuse the whole file if any row cannot be held.")
@click.option(
    "--media",
    type=click.Path(exists=True, file_okay=False),
    help="The folder of the audio files it names (default: FILE-media beside it, if there).",
)
@with_appcontext
def survey_import_xlsform(path, code, year, audience, topic, strict, media):
    """Create a survey, as a draft, from an XLSForm workbook (.xlsx).

    Prints, row by row, what was imported another way than written and what was not
    imported; attaches the audio files it names from its media folder, and says which were
    not there (docs/contract.md#xlsform).
    """
    size = os.path.getsize(path)
    if size > MAX_XLSFORM_BYTES:
        raise click.ClickException(
            f"{path}: {size / 2**20:.1f} MB; an XLSForm is at most {MAX_XLSFORM_BYTES // 2**20} MB"
        )
    with open(path, "rb") as f:
        data = f.read()
    given = {"code": code, "year": year, "audience": audience, "topic": topic}
    try:
        imported = read_xlsform(data, strict=strict, taken=survey_codes_taken(), **given)
        survey = survey_from_definition(imported.definition)
        db.session.flush()
        folder = media or (media_folder(path) if os.path.isdir(media_folder(path)) else None)
        sounds = attach_named_audio(survey, imported.media, folder_reader(folder))
        if strict and any(sound.outcome != "attached" for sound in sounds):
            first = next(sound for sound in sounds if sound.outcome != "attached")
            db.session.rollback()
            raise click.ClickException(f"{path}: {first.english()} (--strict)")
        db.session.commit()
    except XLSFormError as error:
        db.session.rollback()
        for finding in error.findings:  # what was refused, when the rest could not stand
            if finding.level == "refused":
                click.echo(f"{path}: {english(finding)}", err=True)
        raise click.ClickException(f"{path}: {shortened(error.english())}") from None
    except DefinitionError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {shortened(str(error))}") from None
    for finding in imported.findings:
        if finding.level != "media":  # the audio files: below, with what became of each
            click.echo(f"{path}: {english(finding)}")
    for sound in sounds:
        click.echo(f"{path}: {sound.english()}")
    attached = sum(sound.outcome == "attached" for sound in sounds)
    click.echo(
        f"Imported survey {survey.code} ({len(survey.questions)} questions) as a draft; "
        f"{len(imported.refused())} rows not imported whole, "
        f"{attached} of {len(sounds)} audio files attached."
    )


@survey_group.command("export-xlsform")
@click.argument("code")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def survey_export_xlsform(code, output):
    """Write a survey's questions as an XLSForm workbook (.xlsx) that pyxform, KoboToolbox and
    ODK read and `survey import-xlsform` reads back."""
    survey = survey_named(code)
    sounds = recordings(survey)
    names = {key: name for key, (name, _data) in sounds.items()}
    written = write_file(output, [xlsform_bytes(dump_definition(survey), names)])
    click.echo(f"Wrote the XLSForm of {code} ({written:,} bytes) to {output}.")
    if sounds:
        folder = media_folder(output)
        os.makedirs(folder, exist_ok=True)
        for name, data in sounds.values():
            write_file(os.path.join(folder, name), [data])
        click.echo(f"Wrote its {len(sounds)} recordings to {folder}.")
