"""What the annual figures and the rating read of the dialogues: per organization, the year's
meetings planned and held, the issues raised, answered on the spot and made tasks, and those
tasks done by their due date.

A meeting is in the year of its day. Every meeting recorded counts as planned (it was in the
plan, held or not); `dialogues_planned` and `dialogues_held` of an organization with records
are read from here instead of the figures typed by hand (survey.ratings.evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from survey.core.extensions import db
from survey.models import Dialogue, DialogueIssue, Task


@dataclass(frozen=True)
class DialogueCounts:
    """One organization's dialogues and voter contacts of a year."""

    planned: int
    held: int
    issues: int = 0
    answered: int = 0
    made_tasks: int = 0
    tasks_done_on_time: int = 0


def _in_year(year):
    return sa.and_(Dialogue.held_on >= date(year, 1, 1), Dialogue.held_on <= date(year, 12, 31))


def dialogue_counts(year: int) -> dict[int, DialogueCounts]:
    """Per organization id with a meeting in `year`: its DialogueCounts."""
    meetings = db.session.execute(
        sa.select(
            Dialogue.organization_id,
            sa.func.count(),
            sa.func.count().filter(Dialogue.held.is_(True)),
        )
        .where(_in_year(year))
        .group_by(Dialogue.organization_id)
    ).all()
    on_time = sa.and_(Task.status == "done", Task.done_on <= Task.due_on)
    issues = {
        org: (int(n), int(answered), int(tasks), int(done))
        for org, n, answered, tasks, done in db.session.execute(
            sa.select(
                Dialogue.organization_id,
                sa.func.count(),
                sa.func.count().filter(DialogueIssue.answer != ""),
                sa.func.count().filter(DialogueIssue.task_id.is_not(None)),
                sa.func.count(Task.id).filter(on_time),
            )
            .select_from(DialogueIssue)
            .join(Dialogue, Dialogue.id == DialogueIssue.dialogue_id)
            .outerjoin(Task, Task.id == DialogueIssue.task_id)
            .where(_in_year(year))
            .group_by(Dialogue.organization_id)
        ).all()
    }
    return {
        org: DialogueCounts(int(planned), int(held), *issues.get(org, (0, 0, 0, 0)))
        for org, planned, held in meetings
    }


def recorded_figures(organization_id: int, year: int) -> dict[str, int] | None:
    """The two annual figures as the records count them for one organization, or None when
    it has no meeting recorded in `year` (its typed figures count then)."""
    counts = dialogue_counts(year).get(organization_id)
    if counts is None:
        return None
    return {"dialogues_planned": counts.planned, "dialogues_held": counts.held}
