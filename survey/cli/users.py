"""`flask user ...`: officer accounts."""

import re
import sys

import click
from flask.cli import with_appcontext

from survey.accounts import officers
from survey.cli.lookups import lookup
from survey.core.extensions import db
from survey.models import ROLES, Organization, Unit, User
from survey.models.vocabulary import PROVINCE_ROLES


@click.group("user")
def user_group():
    """Manage officer users."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org_code", help="Organization code (org_officer).")
@click.option("--unit", "unit_code", help="Village code (unit_officer).")
@click.option("--full-name", default="", help="The person's name as shown in the log.")
@click.option("--email", default="", help="Where the daily reminders of tasks go.")
@with_appcontext
def user_create(username, role, org_code, unit_code, full_name, email):
    """Create a user; the password comes from a prompt, or from standard input when piped."""
    longest = User.username.type.length
    if not re.fullmatch(officers.USERNAME_PATTERN, username) or len(username) > longest:
        raise click.ClickException(
            f"username {username!r}: 1-{longest} letters without accents, digits, dots, "
            "dashes or underscores"
        )
    if len(full_name) > User.full_name.type.length:
        raise click.ClickException(f"--full-name: at most {User.full_name.type.length} characters")
    if email and not officers.is_email(email.strip()):
        raise click.ClickException(f"--email {email!r}: not an e-mail address")
    if officers.username_taken(username):
        raise click.ClickException(f"username {username!r} is taken")
    org = lookup(Organization, org_code, "--org") if org_code else None
    unit = lookup(Unit, unit_code, "--unit") if unit_code else None
    problem = officers.binding_problem(role, org, unit)
    if problem is not None:
        raise click.ClickException(BINDING_PROBLEMS[problem].format(role=role))
    password = _read_password()
    try:
        officers.create_user(
            username=username,
            role=role,
            password=password,
            full_name=full_name,
            email=email,
            organization=org,
            unit=unit,
        )
    except officers.AccountRefused as refused:
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
    officers.deactivate_user(user)
    db.session.commit()
    click.echo(f"Deactivated {user.username}; their sessions have ended.")


@user_group.command("password")
@click.argument("username")
@with_appcontext
def user_password(username):
    """Set a user's password (from a prompt, or standard input when piped); sessions end."""
    user = _user(username)
    officers.reset_password(user, _read_password())
    db.session.commit()
    click.echo(f"New password set for {user.username}; their sessions have ended.")


def _user(username):
    user = officers.user_by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


def _read_password():
    """The password from a hidden prompt typed twice, or the first line of piped input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < officers.MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"password: at least {officers.MIN_PASSWORD_LENGTH} characters")
    return password


# `flask user create NAME --role province_admin` makes the province's own account: no commune.
user_create.for_the_province = lambda params: params.get("role") in PROVINCE_ROLES
