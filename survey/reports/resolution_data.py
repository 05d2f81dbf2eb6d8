"""What the yearly report on carrying out the resolution reads beyond the year-end report's
data: the year's coordination programmes with their tasks (survey.programmes.year_tasks), the
dialogues and voter contacts counted per organization (survey.dialogues.counts), and the tasks
due and still not done, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from survey.core.extensions import db
from survey.dialogues.counts import DialogueCounts, dialogue_counts
from survey.models import Organization
from survey.programmes.year_tasks import ProgrammeRow, TaskRow, year_programmes


@dataclass(frozen=True)
class ResolutionRecords:
    """The year's records of programmes, tasks and dialogues."""

    programmes: tuple[ProgrammeRow, ...]
    dialogues: tuple[tuple[str, DialogueCounts], ...]  # organization name, its counts
    open_tasks: tuple[TaskRow, ...]  # due before the report's day and not done


def resolution_records(year: int, today: date) -> ResolutionRecords:
    """The programmes, dialogues and overdue tasks of `year` as they stand on `today`."""
    programmes = tuple(year_programmes(year, today))
    counts = dialogue_counts(year)
    organizations = db.session.scalars(
        sa.select(Organization).where(Organization.id.in_(counts)).order_by(Organization.position)
    )
    overdue = sorted(
        (t for p in programmes for t in p.tasks if t.overdue), key=lambda t: (t.due_on, t.id)
    )
    return ResolutionRecords(
        programmes=programmes,
        dialogues=tuple((o.name, counts[o.id]) for o in organizations),
        open_tasks=tuple(overdue),
    )
