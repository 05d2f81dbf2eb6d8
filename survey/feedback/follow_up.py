"""From a feedback item to a task and back: an item becomes a task of its organization, or is
attached to one of its open tasks, or detached; and how far its task has come, in the words the
public reads ("Đang xử lý – hạn ngày …", "Đã làm xong ngày …") with the photos the officers
chose to publish.

What the public is told of an item's task (docs/contract.md#feedback-follow-up):
- no task: received;
- a task not done (planned or under way): being handled, with its due date (and "overdue" once
  the due date has passed: people can read a date, the page says it plainly);
- a task done: done on its day, and what was done (the task's title);
- a cancelled task: not carried out, with the reason the officers recorded (a cancelled task
  always has one) — people are owed the reason as much as the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from survey.audit import trail
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, current_year
from survey.models import FeedbackItem, Organization, Programme, Task, TaskEvidence
from survey.models.programmes import programme_party

OPEN_STATUSES = ("planned", "in_progress")
TITLE_LENGTH = 300
SHORT_TITLE = 80
OWNER_LENGTH = 160


class FollowUpRefused(Exception):
    """A change refused; `reason` is one of REASONS (the form words it at its field)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


REASONS = ("already linked", "not linked", "programme", "task")


def programmes_for(item, year=None):
    """The programmes of the year (the commune's current year by default) that the item's
    organization is a party to, by title."""
    year = year or current_year()
    return db.session.scalars(
        sa.select(Programme)
        .join(programme_party, programme_party.c.programme_id == Programme.id)
        .where(
            Programme.year == year,
            programme_party.c.organization_id == item.organization_id,
        )
        .order_by(Programme.title)
    ).all()


def open_tasks(organization_id):
    """The organization's tasks not done nor cancelled, soonest due first."""
    return db.session.scalars(
        sa.select(Task)
        .where(Task.organization_id == organization_id, Task.status.in_(OPEN_STATUSES))
        .options(sa.orm.joinedload(Task.programme))
        .order_by(Task.due_on, Task.id)
    ).all()


def create_task(item, *, programme_id, title, owner, due_on, user):
    """A new task of the item's organization in one of its programmes, made from the item,
    which is linked to it; audited. FollowUpRefused when the item already has a task or the
    programme is not one of programmes_for(item)."""
    if item.task_id is not None:
        raise FollowUpRefused("already linked")
    programme = next((p for p in programmes_for(item) if p.id == programme_id), None)
    if programme is None:
        raise FollowUpRefused("programme")
    task = Task(
        programme_id=programme.id,
        organization_id=item.organization_id,
        title=title.strip()[:TITLE_LENGTH],
        owner=owner.strip()[:OWNER_LENGTH],
        due_on=due_on,
        status="planned",
    )
    db.session.add(task)
    db.session.flush()
    item.task_id = task.id
    _record("feedback.task_create", item, task, user, programme=programme.title)
    return task


def attach_task(item, task_id, user):
    """Link the item to one of its organization's open tasks; audited."""
    if item.task_id is not None:
        raise FollowUpRefused("already linked")
    task = next((t for t in open_tasks(item.organization_id) if t.id == task_id), None)
    if task is None:
        raise FollowUpRefused("task")
    item.task_id = task.id
    _record("feedback.task_attach", item, task, user)
    return task


def detach_task(item, user):
    """Unlink the item from its task (the task stays); audited."""
    task = db.session.get(Task, item.task_id) if item.task_id is not None else None
    if task is None:
        raise FollowUpRefused("not linked")
    item.task_id = None
    _record("feedback.task_detach", item, task, user)
    return task


def _record(action, item, task, user, **details):
    trail.record(
        action,
        f"feedback:{item.id}",
        user=user,
        organization=db.session.get(Organization, item.organization_id).code,
        task=task.title,
        task_id=task.id,
        **details,
    )


# --- what the public reads -------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """A public photo of a task: its id (for the public address) and its caption."""

    id: int
    caption: str


@dataclass(frozen=True)
class FollowUp:
    """How far an item's task has come, as the public reads it."""

    state: str  # "handling", "done" or "cancelled" (no task: no FollowUp at all)
    title: str
    due_on: date
    done_on: date | None
    reason: str
    photos: tuple = ()

    @property
    def overdue(self):
        return self.state == "handling" and self.due_on < datetime.now(COMMUNE_TIME).date()


STATES = {"planned": "handling", "in_progress": "handling", "done": "done"}


def follow_ups(task_ids):
    """{task id: FollowUp} for these tasks, with each task's public photos, in two queries."""
    task_ids = {t for t in task_ids if t is not None}
    if not task_ids:
        return {}
    photos = {}
    for row in db.session.execute(
        sa.select(TaskEvidence.task_id, TaskEvidence.id, TaskEvidence.caption)
        .where(
            TaskEvidence.task_id.in_(task_ids),
            TaskEvidence.public,
            TaskEvidence.content_type.like("image/%"),
        )
        .order_by(TaskEvidence.id)
    ):
        photos.setdefault(row.task_id, []).append(Photo(row.id, row.caption))
    found = {}
    for task in db.session.scalars(sa.select(Task).where(Task.id.in_(task_ids))):
        found[task.id] = FollowUp(
            state=STATES.get(task.status, "cancelled"),
            title=task.title,
            due_on=task.due_on,
            done_on=task.done_on,
            reason=task.note if task.status == "cancelled" else "",
            photos=tuple(photos.get(task.id, ())),
        )
    return found


def public_photo(evidence_id):
    """The evidence row a public visitor may see: public, a photo, and its task linked to a
    published feedback item; None otherwise."""
    published = sa.select(FeedbackItem.id).where(
        FeedbackItem.published, FeedbackItem.task_id == TaskEvidence.task_id
    )
    return db.session.scalar(
        sa.select(TaskEvidence).where(
            TaskEvidence.id == evidence_id,
            TaskEvidence.public,
            TaskEvidence.content_type.like("image/%"),
            published.exists(),
        )
    )
