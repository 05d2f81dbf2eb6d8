"""What the yearly report on carrying out the resolution reads beyond the year-end report's
data: the year's coordination programmes with their tasks, the dialogues and voter contacts,
and the tasks still not done, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.core.extensions import db
from survey.models import Dialogue, Programme, Task


@dataclass(frozen=True)
class ProgrammeRow:
    """A programme of the year and where its tasks stand on the report's day."""

    title: str
    topic: str
    parties: tuple[str, ...]  # organization names
    with_commune_government: bool
    tasks: int  # every task but the cancelled ones
    on_time: int
    late: int
    not_done: int  # due by the report's day, not done
    not_due: int  # due later, not done yet
    cancelled: int
    evidence: int  # files uploaded as evidence for its tasks


@dataclass(frozen=True)
class DialogueRow:
    """An organization's dialogues and voter contacts of the year, counted."""

    organization: str  # name
    planned: int
    held: int
    attending: int
    issues: int
    answered: int
    made_tasks: int


@dataclass(frozen=True)
class OpenTask:
    """A task due in the year and not done by the report's day."""

    organization: str
    title: str
    owner: str
    due_on: date


@dataclass(frozen=True)
class ResolutionRecords:
    """The year's records of programmes, tasks and dialogues."""

    programmes: tuple[ProgrammeRow, ...]
    dialogues: tuple[DialogueRow, ...]
    open_tasks: tuple[OpenTask, ...]


def _programme_row(programme, today):
    kept = [t for t in programme.tasks if t.status != "cancelled"]
    done = [t for t in kept if t.status == "done"]
    late = sum(1 for t in done if t.done_on > t.due_on)
    waiting = [t for t in kept if t.status != "done"]
    overdue = sum(1 for t in waiting if t.due_on <= today)
    return ProgrammeRow(
        title=programme.title,
        topic=programme.topic,
        parties=tuple(o.name for o in sorted(programme.parties, key=lambda o: o.position)),
        with_commune_government=programme.with_commune_government,
        tasks=len(kept),
        on_time=len(done) - late,
        late=late,
        not_done=overdue,
        not_due=len(waiting) - overdue,
        cancelled=len(programme.tasks) - len(kept),
        evidence=sum(len(t.evidence) for t in programme.tasks),
    )


def _dialogue_rows(year):
    meetings = db.session.scalars(
        sa.select(Dialogue)
        .where(Dialogue.held_on >= date(year, 1, 1), Dialogue.held_on <= date(year, 12, 31))
        .options(selectinload(Dialogue.issues), selectinload(Dialogue.organization))
    ).all()
    by_org: dict[int, list[Dialogue]] = {}
    for meeting in meetings:
        by_org.setdefault(meeting.organization_id, []).append(meeting)
    rows = []
    for group in sorted(by_org.values(), key=lambda g: g[0].organization.position):
        issues = [i for m in group for i in m.issues]
        rows.append(
            DialogueRow(
                organization=group[0].organization.name,
                planned=len(group),
                held=sum(1 for m in group if m.held),
                attending=sum(m.attending or 0 for m in group if m.held),
                issues=len(issues),
                answered=sum(1 for i in issues if i.answer.strip()),
                made_tasks=sum(1 for i in issues if i.task_id is not None),
            )
        )
    return tuple(rows)


def resolution_records(year: int, today: date) -> ResolutionRecords:
    """The programmes, dialogues and open tasks of `year` as they stand on `today`."""
    programmes = db.session.scalars(
        sa.select(Programme)
        .where(Programme.year == year)
        .order_by(Programme.title)
        .options(
            selectinload(Programme.parties),
            selectinload(Programme.tasks).selectinload(Task.evidence),
        )
    ).all()
    last = min(date(year, 12, 31), today)
    open_tasks = db.session.scalars(
        sa.select(Task)
        .where(
            Task.due_on >= date(year, 1, 1),
            Task.due_on <= last,
            Task.status.in_(("planned", "in_progress")),
        )
        .order_by(Task.due_on, Task.id)
        .options(selectinload(Task.organization))
    ).all()
    return ResolutionRecords(
        programmes=tuple(_programme_row(p, today) for p in programmes),
        dialogues=_dialogue_rows(year),
        open_tasks=tuple(
            OpenTask(t.organization.name, t.title, t.owner, t.due_on) for t in open_tasks
        ),
    )
