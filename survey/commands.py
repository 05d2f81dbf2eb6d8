"""The project's `flask` commands. Thin: parse, call, echo."""

import os
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from survey.demo import seed_demo
from survey.extensions import db
from survey.models import ROLES, Organization, Unit, User

SIGN_INS_FILE = "demo-sign-ins.txt"


def register(app):
    """Attach the commands to the app's CLI."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(user_group)


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
    os.makedirs(current_app.instance_path, exist_ok=True)
    path = os.path.join(current_app.instance_path, SIGN_INS_FILE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
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
    if db.session.scalar(
        sa.select(User.id).where(sa.func.lower(User.username) == username.lower())
    ):
        raise click.ClickException(f"username {username!r} is taken")
    org = _lookup(Organization, org_code, "--org") if org_code else None
    unit = _lookup(Unit, unit_code, "--unit") if unit_code else None
    if role == "org_officer" and org is None:
        raise click.ClickException("--org is required for role org_officer")
    if role == "unit_officer" and unit is None:
        raise click.ClickException("--unit is required for role unit_officer")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        raise click.ClickException("password: at least 10 characters")
    user = User(username=username, role=role, full_name=full_name, organization=org, unit=unit)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {username}.")


def _lookup(model, code, option):
    found = db.session.scalar(sa.select(model).where(model.code == code))
    if found is None:
        raise click.ClickException(f"{option}: no {model.__name__.lower()} with code {code!r}")
    return found
