"""`flask tasks import|digest`: the coordination programmes' tasks from CSV; the daily e-mail
of tasks due soon and overdue."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cli.files import import_csv
from survey.core import mail
from survey.core.extensions import db
from survey.programmes import digest
from survey.programmes.importing import import_tasks


@click.group("tasks")
def tasks_group():
    """Tasks of the coordination programmes: import them from a CSV file, e-mail reminders."""


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


@tasks_group.command("digest")
@click.option("--dry-run", is_flag=True, help="Print the e-mails instead of sending them.")
@with_appcontext
def tasks_digest(dry_run):
    """E-mail each organization officer with an address the tasks of their organization due
    within 7 days or overdue (commune time): one letter each, in Vietnamese.

    Run once a day (deploy/commune-survey-digest.timer). Without SMTP_HOST nothing is sent.
    Exit status 1 when the server refused a letter; the others are sent all the same.
    """
    letters = digest.letters()
    settings = mail.MailSettings.from_config(current_app.config)
    if dry_run:
        for letter in letters:
            click.echo(f"To: {letter.name} <{letter.address}>\nSubject: {letter.subject}\n")
            click.echo(letter.body + "-" * 72)
        click.echo(f"Dry run: {len(letters)} e-mails would be sent; none was.")
        return
    if not settings.host:
        click.echo(f"SMTP_HOST is not set: no e-mail sent ({len(letters)} officers would get one)")
        return
    if not letters:
        click.echo(
            "No task is due within 7 days or overdue, or no officer has an address: no e-mail sent."
        )
        return
    not_sent = mail.send_all(letters, settings, digest.sender_name())
    digest.record_run(sent=len(letters) - len(not_sent), failed=len(not_sent))
    db.session.commit()
    for failure in not_sent:
        click.echo(f"Not sent to {failure.letter.address}: {failure.reason}", err=True)
    click.echo(f"Sent the reminder to {len(letters) - len(not_sent)} of {len(letters)} officers.")
    if not_sent:
        click.get_current_context().exit(1)


# Without --commune, the daily e-mail goes out for every commune in turn (one timer a host).
tasks_digest.each_commune = True
