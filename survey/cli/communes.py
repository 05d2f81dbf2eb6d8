"""`flask commune create|list`, and the `--commune CODE` every command of a commune's data takes.

A command works for the commune `--commune` names, or the only one; with several and none
named it stops before doing anything, naming the choices (exit status 2).
"""

import functools
from contextlib import nullcontext

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from survey.commune.tenants import CommuneError, chosen_commune, commune_rows, create_commune
from survey.core.extensions import db
from survey.core.tenancy import across_communes, commune_scope
from survey.models.scoping import rescope_transaction

COMMUNE_HELP = "the commune's code (flask commune list); needed when there are several"


@click.group("commune")
def commune_group():
    """The province's communes."""


@commune_group.command("create")
@click.argument("code")
@click.option("--name", required=True, help='its name as pages print it, e.g. "xã Hà Tam"')
@click.option("--province", default="", help="the province it belongs to")
@click.option("--national-code", default="", help="its national administrative unit code")
@click.option("--merged-from", multiple=True, help="a commune it was merged from (repeat for each)")
@with_appcontext
def commune_create(code, name, province, national_code, merged_from):
    """Make a commune CODE (lowercase letters, digits, - or _)."""
    with across_communes():
        try:
            commune = create_commune(code, name, province, national_code, merged_from)
        except CommuneError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    click.echo(f"commune {commune.code} ({commune.name}) created")


@commune_group.command("list")
@with_appcontext
def commune_list():
    """Every commune: code, name, province, national code, merged from."""
    for row in commune_rows():
        merged = ", ".join(row.merged_from)
        click.echo("\t".join((row.code, row.name, row.province, row.national_code, merged)))


def for_one_commune(command):
    """Give `command` (and every command of a group) `--commune CODE`: it runs inside that
    commune's scope, or the only commune's."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            for_one_commune(sub)
        return command
    if getattr(command, "for_one_commune", False):  # each app built registers it again
        return command
    command.for_one_commune = True
    command.params.append(click.Option(["--commune", "commune_code"], help=COMMUNE_HELP))
    callback = command.callback

    @functools.wraps(callback)
    def run(*args, commune_code=None, **kwargs):
        ctx = click.get_current_context()
        if not current_app:
            ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
        province = getattr(command, "for_the_province", None)
        if commune_code is None and province is not None and province(ctx.params):
            with across_communes():
                return callback(*args, **kwargs)
        if commune_code is None and getattr(command, "each_commune", False):
            return _for_each_commune(callback, args, kwargs)
        try:
            commune = chosen_commune(commune_code)
        except CommuneError as error:
            db.session.rollback()
            raise click.UsageError(str(error)) from None
        if commune is None:  # a new install: its first rows make its commune
            return callback(*args, **kwargs)
        with commune_scope(commune.id):
            rescope_transaction(db.session)  # PostgreSQL hears it in the transaction at hand
            return callback(*args, **kwargs)

    command.callback = run
    return command


def _for_each_commune(callback, args, kwargs):
    """Run a daily command once per commune, each in its own scope; a failure in one commune
    does not stop the others, and the exit status is the worst of them."""
    communes = [row for row in commune_rows()]
    if len(communes) <= 1:  # one commune (or a new install): as any other command
        with commune_scope(communes[0].id) if communes else nullcontext():
            rescope_transaction(db.session)
            return callback(*args, **kwargs)
    worst = 0
    for row in communes:
        click.echo(f"== {row.name} ({row.code})")
        with commune_scope(row.id):
            rescope_transaction(db.session)
            try:
                callback(*args, **kwargs)
            except click.exceptions.Exit as stop:
                worst = max(worst, stop.exit_code)
            except click.ClickException as error:
                db.session.rollback()
                error.show()
                worst = max(worst, error.exit_code)
    if worst:
        click.get_current_context().exit(worst)
