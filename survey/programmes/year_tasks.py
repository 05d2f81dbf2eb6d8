"""A year's programmes with their tasks, as plain rows: what the JSON API, the year's workbook
and the year-end report read.

A programme belongs to the year it was made for (`Programme.year`); its tasks come with it,
ordered by due date. Whether a task was on time is judged as the rating judges it
(survey.programmes.tasks): done on or before its due date is on time, done after it is late; a
task not done is late once its due date has passed (`overdue`), and not judged yet before that;
a cancelled task is never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.models import Programme, Task, TaskEvidence

OPEN_STATUSES = ("planned", "in_progress")


def commune_today() -> date:
    """The day it is now in the commune."""
    return datetime.now(COMMUNE_TIME).date()


@dataclass(frozen=True)
class TaskRow:
    """One task as readers get it, with its organization by code and name."""

    id: int
    programme: str
    organization_code: str
    organization: str
    title: str
    owner: str
    supporting: str
    started_on: date | None
    due_on: date
    status: str
    done_on: date | None
    evidence: int
    today: date

    @property
    def overdue(self) -> bool:
        """Not done, not cancelled, and its due date has passed."""
        return self.status in OPEN_STATUSES and self.due_on < self.today

    @property
    def on_time(self) -> bool | None:
        """True when done by its due date; False when done after it or overdue; None while
        it is not due yet, and for a cancelled task."""
        if self.status == "done":
            return self.done_on <= self.due_on
        if self.status == "cancelled":
            return None
        return False if self.overdue else None

    @property
    def late(self) -> bool:
        """Done, after its due date."""
        return self.status == "done" and self.done_on > self.due_on


@dataclass(frozen=True)
class ProgrammeRow:
    """One programme of the year with the tasks the reader may see."""

    id: int
    year: int
    title: str
    topic: str
    tasks: tuple[TaskRow, ...]

    @property
    def done_on_time(self) -> int:
        return sum(1 for t in self.tasks if t.status == "done" and not t.late)

    @property
    def done_late(self) -> int:
        return sum(1 for t in self.tasks if t.late)

    @property
    def not_done(self) -> int:
        """Planned or in progress (overdue or not yet due)."""
        return sum(1 for t in self.tasks if t.status in OPEN_STATUSES)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)

    @property
    def cancelled(self) -> int:
        return sum(1 for t in self.tasks if t.status == "cancelled")

    @property
    def evidence(self) -> int:
        """Evidence files over all its tasks."""
        return sum(t.evidence for t in self.tasks)


def _evidence_counts(task_ids) -> dict[int, int]:
    if not task_ids:
        return {}
    rows = db.session.execute(
        sa.select(TaskEvidence.task_id, sa.func.count())
        .where(TaskEvidence.task_id.in_(task_ids))
        .group_by(TaskEvidence.task_id)
    )
    return {task_id: int(n) for task_id, n in rows}


def year_programmes(
    year: int, today: date | None = None, organization_id: int | None = None
) -> list[ProgrammeRow]:
    """The programmes of `year` with their tasks, by title; with `organization_id`, only that
    organization's tasks and the programmes that have some."""
    today = today or commune_today()
    programmes = db.session.scalars(
        sa.select(Programme)
        .where(Programme.year == year)
        .order_by(Programme.title, Programme.id)
        .options(selectinload(Programme.tasks).joinedload(Task.organization))
    ).all()
    evidence = _evidence_counts([t.id for p in programmes for t in p.tasks])
    found = []
    for programme in programmes:
        tasks = tuple(
            _task_row(task, programme.title, evidence.get(task.id, 0), today)
            for task in sorted(programme.tasks, key=lambda t: (t.due_on, t.id))
            if organization_id is None or task.organization_id == organization_id
        )
        if tasks or organization_id is None:
            found.append(
                ProgrammeRow(programme.id, programme.year, programme.title, programme.topic, tasks)
            )
    return found


def _task_row(task, programme_title, evidence, today) -> TaskRow:
    return TaskRow(
        id=task.id,
        programme=programme_title,
        organization_code=task.organization.code,
        organization=task.organization.name,
        title=task.title,
        owner=task.owner,
        supporting=task.supporting,
        started_on=task.started_on,
        due_on=task.due_on,
        status=task.status,
        done_on=task.done_on,
        evidence=evidence,
        today=today,
    )


def _day(day):
    return None if day is None else day.isoformat()


def tasks_document(year: int, programmes: list[ProgrammeRow]) -> dict:
    """The Tasks JSON of `year` (docs/contract.md#tasks-json): its programmes with their tasks;
    dates ISO (YYYY-MM-DD), codes for the organizations and states."""
    return {
        "year": year,
        "programmes": [
            {
                "id": p.id,
                "title": p.title,
                "topic": p.topic,
                "tasks": [
                    {
                        "id": t.id,
                        "programme": t.programme,
                        "organization": {"code": t.organization_code, "name": t.organization},
                        "title": t.title,
                        "owner": t.owner,
                        "supporting": t.supporting,
                        "started": _day(t.started_on),
                        "due": _day(t.due_on),
                        "status": t.status,
                        "done": _day(t.done_on),
                        "on_time": t.on_time,
                        "overdue": t.overdue,
                    }
                    for t in p.tasks
                ],
            }
            for p in programmes
        ],
    }
