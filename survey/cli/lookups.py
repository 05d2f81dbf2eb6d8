"""Rows named on the command line by their code, or a one-line error naming the option."""

import click
import sqlalchemy as sa

from survey.core.extensions import db
from survey.models import Survey


def lookup(model, code, option):
    """The row of `model` with `code`, or an error naming the command's `option`."""
    found = db.session.scalar(sa.select(model).where(model.code == code))
    if found is None:
        raise click.ClickException(f"{option}: no {model.__name__.lower()} with code {code!r}")
    return found


def survey_named(code):
    """The survey with `code`, or an error saying there is none."""
    found = db.session.scalar(sa.select(Survey).where(Survey.code == code))
    if found is None:
        raise click.ClickException(f"no survey with code {code!r}")
    return found
