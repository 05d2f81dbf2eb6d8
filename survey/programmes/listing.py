"""The coordination programmes as their readers see them: the year's list with each
programme's parties and its tasks counted by state, a programme's tasks in the order they need
attention (overdue first), and a task's progress notes and the feedback it answers.

A task is **overdue** when it is neither done nor cancelled and its due date is before today
in the commune: on its due date it is still in time (the rating's measure,
survey.programmes.tasks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from survey.accounts.access import READ_ALL_ROLES, feedback_item_scope
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, current_year
from survey.models import FeedbackItem, Organization, Programme, Task, TaskNote, User
from survey.models.programmes import TASK_STATUSES, programme_party
from survey.programmes.task_steps import OPEN_STATES

# The order of a programme's tasks on its page: what needs attention first.
GROUPS = ("overdue", "in_progress", "planned", "done", "cancelled")
EXCERPT = 160


def commune_today() -> date:
    """Today in the commune."""
    return datetime.now(COMMUNE_TIME).date()


def is_overdue(task, today) -> bool:
    """Whether `task` is overdue on `today`: not finished, and due before that day."""
    return task.status in OPEN_STATES and task.due_on < today


def group_of(task, today) -> str:
    """The group a task is shown in: `overdue`, or its state."""
    return "overdue" if is_overdue(task, today) else task.status


def ordered_tasks(tasks, today):
    """`tasks` in the order of the programme page: overdue first, then under way, not started,
    done and cancelled; inside each, by due date."""
    return sorted(tasks, key=lambda t: (GROUPS.index(group_of(t, today)), t.due_on, t.id))


@dataclass(frozen=True)
class TaskGroup:
    """The tasks of one group on a programme's page."""

    key: str
    tasks: tuple


def task_groups(programme, today):
    """A programme's tasks by group, in page order, leaving out the empty groups."""
    ordered = ordered_tasks(programme.tasks, today)
    return [
        TaskGroup(key, tuple(t for t in ordered if group_of(t, today) == key))
        for key in GROUPS
        if any(group_of(t, today) == key for t in ordered)
    ]


def readable(user):
    """The SQL condition on Programme for the programmes `user` may read."""
    if user.role in READ_ALL_ROLES:
        return sa.true()
    if user.role != "org_officer":
        return sa.false()
    return Programme.id.in_(
        sa.select(programme_party.c.programme_id).where(
            programme_party.c.organization_id == user.organization_id
        )
    )


def programme_years(user):
    """The years that hold a programme this user may read, and this year, newest first."""
    years = set(
        db.session.scalars(sa.select(Programme.year).where(readable(user)).distinct()).all()
    )
    return sorted(years | {current_year()}, reverse=True)


@dataclass(frozen=True)
class ProgrammeRow:
    """One programme of the year's list."""

    id: int
    title: str
    topic: str
    parties: tuple[str, ...]
    with_commune_government: bool
    counts: dict
    overdue: int
    first_day: date | None
    last_day: date | None

    @property
    def total(self):
        return sum(self.counts.values())


def _task_figures(programme_ids, today):
    """Per programme id: its tasks counted by state, the overdue, and the span of its dates."""
    overdue = sa.and_(Task.status.in_(OPEN_STATES), Task.due_on < today)
    rows = db.session.execute(
        sa.select(
            Task.programme_id,
            Task.status,
            sa.func.count(),
            sa.func.count().filter(overdue),
            sa.func.min(sa.func.coalesce(Task.started_on, Task.due_on)),
            sa.func.max(Task.due_on),
            sa.func.max(Task.done_on),
        )
        .where(Task.programme_id.in_(programme_ids))
        .group_by(Task.programme_id, Task.status)
    ).all()
    figures = {}
    for programme_id, status, n, late, first, last_due, last_done in rows:
        counts, late_so_far, days = figures.setdefault(
            programme_id, (dict.fromkeys(TASK_STATUSES, 0), [0], [])
        )
        counts[status] = int(n)
        late_so_far[0] += int(late)
        days.extend(d for d in (first, last_due, last_done) if d is not None)
    return figures


def programme_rows(user, year, today):
    """The year's programmes `user` may read, by title, each with its figures."""
    programmes = db.session.scalars(
        sa.select(Programme)
        .where(Programme.year == year, readable(user))
        .order_by(Programme.title, Programme.id)
    ).all()
    figures = _task_figures([p.id for p in programmes], today)
    rows = []
    for programme in programmes:
        counts, late, days = figures.get(programme.id, (dict.fromkeys(TASK_STATUSES, 0), [0], []))
        rows.append(
            ProgrammeRow(
                id=programme.id,
                title=programme.title,
                topic=programme.topic,
                parties=tuple(party.name for party in sorted_parties(programme)),
                with_commune_government=programme.with_commune_government,
                counts=counts,
                overdue=late[0],
                first_day=min(days) if days else None,
                last_day=max(days) if days else None,
            )
        )
    return rows


def sorted_parties(programme):
    """A programme's organizations in the commune's order."""
    return sorted(programme.parties, key=lambda o: (o.position, o.name))


def period_of(tasks):
    """The span of the tasks' dates (start or due date, to the last due or done date), or
    None without tasks: a programme has no period of its own."""
    firsts = [t.started_on or t.due_on for t in tasks]
    lasts = [d for t in tasks for d in (t.due_on, t.done_on) if d is not None]
    return (min(firsts), max(lasts)) if tasks else None


# The largest id a database column holds: a larger one in an address finds nothing (and would
# overflow the driver's integer).
MAX_ID = 2**63 - 1


def programme_for(programme_id):
    """The programme with this id, or None."""
    return db.session.get(Programme, programme_id) if 0 < programme_id <= MAX_ID else None


def task_for(task_id):
    """The task with this id, or None."""
    return db.session.get(Task, task_id) if 0 < task_id <= MAX_ID else None


def party_choices(programme):
    """The programme's organizations as (id, name), for the task form."""
    return [(party.id, party.name) for party in sorted_parties(programme)]


def organization_choices():
    """Every organization as (id, name), in the commune's order, for the programme form."""
    return db.session.execute(
        sa.select(Organization.id, Organization.name).order_by(
            Organization.position, Organization.name
        )
    ).all()


@dataclass(frozen=True)
class NoteRow:
    """A progress note as the task page shows it."""

    written_on: date
    text: str
    by: str


def task_notes(task):
    """A task's progress notes, oldest first, each with the name of the officer who wrote it."""
    rows = db.session.execute(
        sa.select(TaskNote.written_on, TaskNote.text, User.full_name, User.username)
        .outerjoin(User, User.id == TaskNote.by_id)
        .where(TaskNote.task_id == task.id)
        .order_by(TaskNote.written_on, TaskNote.id)
    ).all()
    return [
        NoteRow(day, text, full_name or username or "") for day, text, full_name, username in rows
    ]


@dataclass(frozen=True)
class LinkedFeedback:
    """A feedback item this task answers, as a short line."""

    id: int
    excerpt: str
    received_at: datetime


def linked_feedback(task, user):
    """The feedback items linked to `task` that `user` may read, newest first."""
    items = db.session.execute(
        sa.select(FeedbackItem.id, FeedbackItem.text, FeedbackItem.received_at)
        .where(FeedbackItem.task_id == task.id, feedback_item_scope(user))
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
    ).all()
    return [
        LinkedFeedback(
            item_id, text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…", received
        )
        for item_id, text, received in items
    ]
