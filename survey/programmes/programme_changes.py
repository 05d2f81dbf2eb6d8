"""The office's changes to the coordination programmes themselves: adding one, changing its
year, title, theme and parties, and deleting one that holds no task. Each is audited in words;
services flush, the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from survey.audit import trail
from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.models import Organization, Programme, Task
from survey.programmes.task_steps import Refused

YEAR_MIN = 2000


@dataclass(frozen=True)
class ProgrammeFields:
    """What the programme form gives: the year, title, theme, the organizations that are its
    parties (ids), and whether the commune People's Committee is a party."""

    year: int
    title: str
    topic: str
    party_ids: tuple[int, ...]
    with_commune_government: bool


def valid_year(year):
    """Whether a programme may be kept for `year`: from 2000 to next year."""
    return YEAR_MIN <= year <= current_year() + 1


def _audited(programme):
    return {
        "year": programme.year,
        "title": programme.title,
        "theme": programme.topic,
        "parties": sorted(party.code for party in programme.parties),
        "with_commune_government": programme.with_commune_government,
    }


def _check(fields, programme=None):
    if not valid_year(fields.year):
        raise Refused("year", "year out of range")
    if not fields.party_ids:
        raise Refused("parties", "no party")
    taken = sa.select(Programme.id).where(
        Programme.year == fields.year, Programme.title == fields.title
    )
    if programme is not None:
        taken = taken.where(Programme.id != programme.id)
    if db.session.scalar(taken) is not None:
        raise Refused("title", "title taken", year=fields.year)
    if programme is None:
        return
    with_tasks = db.session.scalars(
        sa.select(Organization)
        .join(Task, Task.organization_id == Organization.id)
        .where(Task.programme_id == programme.id, Organization.id.not_in(fields.party_ids))
        .distinct()
    ).first()
    if with_tasks is not None:
        raise Refused("parties", "party has tasks", name=with_tasks.name)


def _apply(programme, fields):
    programme.year = fields.year
    programme.title = fields.title
    programme.topic = fields.topic
    programme.with_commune_government = fields.with_commune_government
    programme.parties = list(
        db.session.scalars(
            sa.select(Organization)
            .where(Organization.id.in_(fields.party_ids))
            .order_by(Organization.position, Organization.name)
        )
    )


def add_programme(fields):
    """A new programme, audited."""
    _check(fields)
    programme = Programme()
    _apply(programme, fields)
    db.session.add(programme)
    db.session.flush()
    trail.record(
        "programme.create",
        f"programme:{programme.id}",
        programme=programme.title,
        after=_audited(programme),
    )
    return programme


def update_programme(programme, fields):
    """Change a programme; a party that still has tasks in it stays. False when nothing
    changed."""
    _check(fields, programme)
    before = _audited(programme)
    _apply(programme, fields)
    after = _audited(programme)
    if before == after:
        return False
    db.session.flush()
    trail.record(
        "programme.update",
        f"programme:{programme.id}",
        programme=programme.title,
        before=before,
        after=after,
    )
    return True


def delete_programme(programme, confirmed):
    """Delete a programme that holds no task, once confirmed; a programme with tasks stays."""
    if programme.tasks:
        raise Refused(None, "programme has tasks")
    if not confirmed:
        raise Refused("confirm", "delete needs confirmation")
    trail.record(
        "programme.delete",
        f"programme:{programme.id}",
        programme=programme.title,
        before=_audited(programme),
    )
    db.session.delete(programme)
    db.session.flush()
