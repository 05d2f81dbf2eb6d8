"""A programme's tasks: adding and changing them, their progress notes, and the steps of their
state, each with the rules it keeps and audited in words.

The states (docs/contract.md#task-states):

- `planned` -> `in_progress` -> `done`; a planned task may be marked done at once (a task of
  one day). Done needs the day it was done: not after today (commune time), not before the
  task's start.
- `planned` or `in_progress` -> `cancelled`, with its reason (kept in `Task.note`).
- `done` or `cancelled` -> back under way (`in_progress`, or `planned` when it never started):
  the office only, with a confirmation, since the rating counts the done tasks on time.

An organization's officer changes only its own organization's tasks (the views check it with
`may_change_task`); the rules here hold for everyone: a finished (done or cancelled) task is
changed by the office only, and so is a due date that has already passed, since the rating
counts a task late against its due date. Services flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from survey.audit import trail
from survey.core.extensions import db
from survey.models import Organization, Task, TaskNote

OPEN_STATES = ("planned", "in_progress")
FINISHED_STATES = ("done", "cancelled")
# The steps of a task's state: the button's name, the states it leaves from.
STEPS = {
    "start": ("planned",),
    "finish": OPEN_STATES,
    "cancel": OPEN_STATES,
    "reopen": FINISHED_STATES,
}
NOTE_LENGTH = 2000


class Refused(Exception):
    """A change the rules refuse: the form field it concerns (None: the whole form), the
    reason's code (the form words it, survey.programmes.forms.REFUSALS) and its names."""

    def __init__(self, field, reason, **names):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason, self.names = field, reason, names


@dataclass(frozen=True)
class TaskFields:
    """What the task form gives: its organization, title, the person responsible, the
    supporting parties, its start (may be None) and due date."""

    organization_id: int
    title: str
    owner: str
    supporting: str
    started_on: date | None
    due_on: date

    def as_audited(self, organization_code):
        return {
            "title": self.title,
            "organization": organization_code,
            "owner": self.owner,
            "supporting": self.supporting,
            "started_on": self.started_on,
            "due_on": self.due_on,
        }


def _audited(task):
    """A task's fields as the audit log keeps them (the organization by its code)."""
    return {
        "title": task.title,
        "organization": task.organization.code,
        "owner": task.owner,
        "supporting": task.supporting,
        "started_on": task.started_on,
        "due_on": task.due_on,
        "status": task.status,
        "done_on": task.done_on,
        "note": task.note,
    }


def _record(action, task, **kwargs):
    """The audit entry of `action` on `task`, naming it and its programme."""
    trail.record(
        action,
        f"task:{task.id}",
        task=task.title,
        programme=task.programme.title,
        organization=task.organization.code,
        **kwargs,
    )


def check_fields(programme, user, fields, task=None, today=None):
    """Refused unless `user` may give `task` (None: a new task of `programme`) these fields."""
    party_ids = {party.id for party in programme.parties}
    if fields.organization_id not in party_ids:
        raise Refused("organization", "not a party")
    if user.role != "admin" and fields.organization_id != user.organization_id:
        raise Refused("organization", "not your own")
    if fields.started_on and fields.due_on < fields.started_on:
        raise Refused("due_on", "due before start")
    if task is None:
        return
    if task.status in FINISHED_STATES and user.role != "admin":
        raise Refused(None, "finished tasks are the office's")
    if task.done_on and fields.started_on and fields.started_on > task.done_on:
        raise Refused("started_on", "start after done")
    moved = fields.due_on != task.due_on
    if moved and user.role != "admin" and today is not None and task.due_on < today:
        raise Refused("due_on", "past due date is the office's")


def short_title(text: str | None, limit: int) -> str:
    """A task's title offered from a text people wrote (an issue raised, a feedback item): one
    line, cut at a word before `limit` characters.

    >>> short_title("Đề nghị   sửa\\nđường vào thôn", 20)
    'Đề nghị sửa đường…'
    """
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] or line[: limit - 1]
    return cut.rstrip(" ,.;:-") + "…"


def add_task(programme, user, fields, today):
    """A new task of `programme`, planned (under way when it has a start), audited."""
    check_fields(programme, user, fields, today=today)
    task = Task(
        programme=programme,
        organization_id=fields.organization_id,
        title=fields.title,
        owner=fields.owner,
        supporting=fields.supporting,
        started_on=fields.started_on,
        due_on=fields.due_on,
        status="in_progress" if fields.started_on and fields.started_on <= today else "planned",
    )
    db.session.add(task)
    db.session.flush()
    organization = db.session.get(Organization, fields.organization_id)
    _record("task.create", task, after=fields.as_audited(organization.code))
    return task


def update_task(task, user, fields, today):
    """Change a task's fields; the audit keeps what changed. False when nothing changed."""
    check_fields(task.programme, user, fields, task=task, today=today)
    before = _audited(task)
    task.organization = db.session.get(Organization, fields.organization_id)
    for name in ("title", "owner", "supporting", "started_on", "due_on"):
        setattr(task, name, getattr(fields, name))
    after = _audited(task)
    if before == after:
        return False
    db.session.flush()
    _record("task.update", task, before=before, after=after)
    return True


def add_note(task, user, written_on, text, today):
    """A dated progress note on `task` by `user`: not dated after today."""
    text = (text or "").strip()
    if not text:
        raise Refused("text", "note needs text")
    if len(text) > NOTE_LENGTH:
        raise Refused("text", "note too long")
    if written_on > today:
        raise Refused("written_on", "note in the future")
    note = TaskNote(task=task, written_on=written_on, text=text, by_id=user.id)
    db.session.add(note)
    db.session.flush()
    _record("task.note", task, after={"written_on": written_on, "progress_note": text})
    return note


def allowed_steps(task, user):
    """The steps of its state `user` may take on `task` now, in the order the page shows."""
    steps = [step for step, sources in STEPS.items() if task.status in sources]
    if user.role != "admin":
        steps = [step for step in steps if step != "reopen"]
    return steps


def take_step(task, user, step, today, *, day=None, reason="", confirmed=False):
    """Move `task` by `step` (start, finish, cancel, reopen) under the rules above, audited."""
    if step not in STEPS or task.status not in STEPS[step]:
        raise Refused(None, "step not possible")
    if step == "reopen" and user.role != "admin":
        raise Refused(None, "reopening is the office's")
    before = _audited(task)
    if step == "start":
        task.status = "in_progress"
        task.started_on = task.started_on or today
    elif step == "finish":
        if day is None:
            raise Refused("done_on", "done needs its day")
        if day > today:
            raise Refused("done_on", "done in the future")
        if task.started_on and day < task.started_on:
            raise Refused("done_on", "done before start", start=task.started_on)
        task.status, task.done_on = "done", day
    elif step == "cancel":
        reason = (reason or "").strip()
        if not reason:
            raise Refused("reason", "cancel needs a reason")
        if len(reason) > NOTE_LENGTH:
            raise Refused("reason", "note too long")
        task.status, task.note = "cancelled", reason
    else:
        if not confirmed:
            raise Refused("confirm", "reopen needs confirmation")
        task.status = "in_progress" if task.started_on else "planned"
        task.done_on = None
    db.session.flush()
    _record(f"task.{step}", task, before=before, after=_audited(task))
