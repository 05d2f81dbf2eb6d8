"""The project's `flask` commands. Thin: parse, call, echo."""

import csv
import json
import os
import re
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_migrate import upgrade

from analytics.errors import AnalyticsError
from analytics.report import csv_rows, evaluation_text
from survey import accounts, audit, private_files
from survey.backup import BackupError, backup, restore
from survey.catalog import survey_listing
from survey.definitions import DefinitionError, dump_definition, survey_from_definition
from survey.demo import seed_demo
from survey.exports import report_file, survey_export
from survey.extensions import db
from survey.finalization import year_document
from survey.importing import ImportRejected, import_responses
from survey.indicators import import_indicators
from survey.models import ROLES, Organization, Survey, Unit, User
from survey.release import release_ready
from survey.slips import slips_html
from survey.year_report import NothingToReport

SIGN_INS_FILE = "demo-sign-ins.txt"
# A survey of 200 questions in two languages is some 200 KB.
MAX_DEFINITION_BYTES = 10 * 2**20


def register(app):
    """Attach the commands to the app's CLI."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(user_group)
    app.cli.add_command(survey_group)
    app.cli.add_command(responses_group)
    app.cli.add_command(evaluate_command)
    app.cli.add_command(indicators_group)
    app.cli.add_command(report_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("seed-demo")
@click.option("--seed", default=1, show_default=True, help="Random seed; same seed, same data.")
@click.option(
    "--responses",
    default=6000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Total number of generated responses over all demo surveys.",
)
@click.option("--password", default=None, help="One password for every demo user (else random).")
@with_appcontext
def seed_demo_command(seed, responses, password):
    """Fill an empty database with the demo commune (does nothing on a non-empty one)."""
    result = seed_demo(seed=seed, responses=responses, password=password)
    if not result.seeded:
        click.echo("The database already holds data; seed-demo added nothing.")
        path = os.path.join(current_app.instance_path, SIGN_INS_FILE)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                click.echo(f.read().rstrip())
        return
    click.echo(
        f"Seeded the demo commune: {result.surveys} surveys, {result.responses} responses, "
        f"{result.answers} answers, {result.feedback} feedback items."
    )
    lines = [f"  {username:<12} {role:<13} {secret}" for username, role, secret in result.logins]
    click.echo("Demo sign-ins (username, role, password):")
    click.echo("\n".join(lines))
    private_files.private_folder(current_app.instance_path)
    path = os.path.join(current_app.instance_path, SIGN_INS_FILE)
    with private_files.open_private(path, encoding="utf-8") as f:
        f.write("Demo sign-ins (username, role, password):\n" + "\n".join(lines) + "\n")
    click.echo(f"(kept in {path}, readable by you only)")


@click.group("user")
def user_group():
    """Manage officer accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_code", help="Organization code (org_officer).")
@click.option("--unit", "unit_code", help="Village code (unit_officer).")
@click.option("--full-name", default="", help="The person's name as shown in the log.")
@with_appcontext
def user_create(username, role, org_code, unit_code, full_name):
    """Create a user; the password comes from a prompt, or from standard input when piped."""
    longest = User.username.type.length
    if not re.fullmatch(accounts.USERNAME_PATTERN, username) or len(username) > longest:
        raise click.ClickException(
            f"username {username!r}: 1-{longest} letters without accents, digits, dots, "
            "dashes or underscores"
        )
    if len(full_name) > User.full_name.type.length:
        raise click.ClickException(f"--full-name: at most {User.full_name.type.length} characters")
    if accounts.username_taken(username):
        raise click.ClickException(f"username {username!r} is taken")
    org = _lookup(Organization, org_code, "--org") if org_code else None
    unit = _lookup(Unit, unit_code, "--unit") if unit_code else None
    problem = accounts.binding_problem(role, org, unit)
    if problem is not None:
        raise click.ClickException(BINDING_PROBLEMS[problem].format(role=role))
    password = _read_password()
    try:
        accounts.create_user(
            username=username,
            role=role,
            password=password,
            full_name=full_name,
            organization=org,
            unit=unit,
        )
    except accounts.AccountRefused as refused:
        db.session.rollback()
        raise click.ClickException(refused.reason) from None
    db.session.commit()
    click.echo(f"Created {role} {username}.")


BINDING_PROBLEMS = {
    "organization required": "--org is required for role {role}",
    "village required": "--unit is required for role {role}",
    "no organization": "--org is only for role org_officer",
    "no village": "--unit is only for role unit_officer",
}


@user_group.command("deactivate")
@click.argument("username")
@with_appcontext
def user_deactivate(username):
    """Stop a user signing in and end every session they have."""
    user = _user(username)
    accounts.deactivate_user(user)
    db.session.commit()
    click.echo(f"Deactivated {user.username}; their sessions have ended.")


@user_group.command("password")
@click.argument("username")
@with_appcontext
def user_password(username):
    """Set a user's password (from a prompt, or standard input when piped); sessions end."""
    user = _user(username)
    accounts.reset_password(user, _read_password())
    db.session.commit()
    click.echo(f"New password set for {user.username}; their sessions have ended.")


def _user(username):
    user = accounts.user_by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _read_password():
    """The password from a hidden prompt typed twice, or the first line of piped input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"password: at least {accounts.MIN_PASSWORD_LENGTH} characters")
    return password


def _lookup(model, code, option):
    found = db.session.scalar(sa.select(model).where(model.code == code))
    if found is None:
        raise click.ClickException(f"{option}: no {model.__name__.lower()} with code {code!r}")
    return found


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


def _survey(code):
    found = db.session.scalar(sa.select(Survey).where(Survey.code == code))
    if found is None:
        raise click.ClickException(f"no survey with code {code!r}")
    return found


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
    click.echo(json.dumps(dump_definition(_survey(code)), ensure_ascii=False, indent=2))


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
    survey = _survey(code)
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
    survey = _survey(code)
    if survey.audience != "member":
        raise click.ClickException(f"survey {code!r} is for the public: it needs no invitations")
    unit = _lookup(Unit, unit_code, "--unit")
    page = slips_html(survey, unit, count)
    # Write first, then commit: a file that cannot be written leaves no unprinted codes behind.
    # The codes are live: the file is readable by its owner only.
    try:
        _write_file(output, [page.encode("utf-8")])
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
    type=click.Choice(["csv", "xlsx"]),
    help="csv: DESIGN.md's Response CSV; xlsx: the same rows, with the question results.",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def survey_export_command(code, output_format, output):
    """Write a survey's responses, anonymized, as CSV or XLSX.

    Anonymized: no receipt codes, start times or durations; submitted_at is the day only
    (commune time); the submission_uid column holds a row id made afresh for each export, not
    the stored uid; the village is left empty for the villages whose results are hidden (fewer
    respondents than the commune's suppression threshold). Rows are in no particular order.
    The CSV imports again with `flask responses import`.
    """
    survey = _survey(code)
    written = _write_file(output, survey_export(survey, output_format))
    click.echo(f"Wrote the responses of {code} ({output_format}, {written:,} bytes) to {output}.")


def _write_file(output, chunks):
    """Write `chunks` (bytes) to `output`, readable by its owner only (it holds answers, or
    live slip codes), whole or not at all; return the bytes written."""
    try:
        return private_files.write_private_file(output, chunks)
    except OSError as error:
        raise click.ClickException(f"{output}: {error.strerror}") from None


@click.group("responses")
def responses_group():
    """Responses: import bulk or paper responses."""


@responses_group.command("import")
@click.argument("code")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def responses_import(code, path):
    """Import responses from a CSV file: the whole file, or nothing when a row is wrong."""
    survey = _survey(code)
    result = _import_csv(path, lambda f: import_responses(survey, f))
    release_ready(survey.id)  # imported rows wait for their batch like any others
    click.echo(
        f"Imported {result.added} responses into {code}"
        + (f" ({result.already_there} were already there)" if result.already_there else "")
        + "."
    )


@click.command("evaluate")
@click.option("--year", type=int, required=True, help="The year to rate.")
@click.option("--org", "org_code", default=None, help="Only this organization (code).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table: readable, in Vietnamese; json: DESIGN.md's Evaluation JSON; csv: one row per "
    "organization and criterion.",
)
@with_appcontext
def evaluate_command(year, org_code, output_format):
    """Rate every organization for a year from its figures, surveys and feedback."""
    if org_code is not None:
        _lookup(Organization, org_code, "--org")
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
    written = _write_file(output, [content])
    click.echo(f"Wrote the {output_format} report for {year} ({written:,} bytes) to {output}.")


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
    result = _import_csv(path, lambda f: import_indicators(f, source=source))
    click.echo(
        f"Imported annual figures from {path}: {result.created} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


def _import_csv(path, run):
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


@click.command("backup")
@click.option("-o", "--output", "path", required=True, help="The backup file to write.")
@with_appcontext
def backup_command(path):
    """Back up the whole database to a file (SQLite: a copy; PostgreSQL: pg_dump)."""
    try:
        kind = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    audit.record("database.backup", os.path.basename(path))
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
    audit.record("database.restore", os.path.basename(path), revision=revision)
    db.session.commit()
    click.echo(f"Restored {path} (schema revision {revision}), then upgraded the schema.")
