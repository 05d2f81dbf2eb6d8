"""`flask seed-demo`: the demo commune."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.core import private_files
from survey.core.extensions import db
from survey.core.tenancy import current_commune_id
from survey.demo.seed import seed_demo
from survey.models import Commune

SIGN_INS_FILE = "demo-sign-ins.txt"


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
    """Fill an empty commune with the demo commune's data (does nothing on one holding data).

    With --commune, its survey codes and usernames begin with the commune's code."""
    named = click.get_current_context().params.get("commune_code")
    commune = db.session.get(Commune, current_commune_id()) if named else None
    prefix = f"{commune.code}-" if commune is not None else ""
    result = seed_demo(seed=seed, responses=responses, password=password, prefix=prefix)
    db.session.commit()
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
