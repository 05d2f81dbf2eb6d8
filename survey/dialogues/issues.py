"""The issues people raised at a dialogue: recorded, answered on the spot, or made a task of
one of the year's coordination programmes that the organizing organization is a party to.

Audited as `dialogue.issue`, `dialogue.answer` and `dialogue.task`, each naming the
organization and the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from survey.core.extensions import db
from survey.dialogues.meetings import DialogueRefused, audit_change, today
from survey.models import Dialogue, DialogueIssue, Programme, Task, programme_party
from survey.models.vocabulary import TASK_STATUS_NAMES

TITLE_LENGTH = 120


def issue_of(dialogue: Dialogue, issue_id: int) -> DialogueIssue | None:
    """The issue `issue_id` raised at `dialogue`, or None."""
    issue = db.session.get(DialogueIssue, issue_id)
    return issue if issue is not None and issue.dialogue_id == dialogue.id else None


def add_issue(dialogue: Dialogue, text: str) -> DialogueIssue:
    """Record an issue people raised at the meeting; audited."""
    issue = DialogueIssue(dialogue=dialogue, text=text.strip())
    db.session.add(issue)
    db.session.flush()
    audit_change("dialogue.issue", dialogue, after={"issue": issue.text})
    return issue


def answer_issue(issue: DialogueIssue, answer: str) -> None:
    """Write (or change) the answer given on the spot; audited with the issue."""
    answer = answer.strip()
    if answer == issue.answer:
        return
    before = {"answer": issue.answer}
    issue.answer = answer
    db.session.flush()
    audit_change("dialogue.answer", issue.dialogue, before, {"answer": answer}, issue=issue.text)


def programmes_for(dialogue: Dialogue) -> list[Programme]:
    """The coordination programmes of the meeting's year that its organization is a party to."""
    return db.session.scalars(
        sa.select(Programme)
        .join(programme_party, programme_party.c.programme_id == Programme.id)
        .where(
            Programme.year == dialogue.held_on.year,
            programme_party.c.organization_id == dialogue.organization_id,
        )
        .order_by(Programme.title)
    ).all()


def make_task(
    issue: DialogueIssue, programme: Programme, title: str, owner: str, due_on: date
) -> Task:
    """Make the issue a task of `programme` for the meeting's organization; audited.

    Refused (DialogueRefused) when the issue is a task already, the programme is not one of
    `programmes_for` the meeting, or the task would be due before the meeting or more than
    five years after its year."""
    dialogue = issue.dialogue
    if issue.task_id is not None:
        raise DialogueRefused(None, "already a task")
    if programme.id not in {p.id for p in programmes_for(dialogue)}:
        raise DialogueRefused("programme", "not a party")
    if not dialogue.held_on <= due_on <= date(dialogue.held_on.year + 5, 12, 31):
        raise DialogueRefused("due_on", "due out of range")
    task = Task(
        programme=programme,
        organization_id=dialogue.organization_id,
        title=title.strip(),
        owner=owner.strip(),
        due_on=due_on,
        status="planned",
    )
    db.session.add(task)
    db.session.flush()
    issue.task_id = task.id
    db.session.flush()
    after = {"task": task.title, "programme": programme.title, "owner": task.owner}
    audit_change("dialogue.task", dialogue, after=after | {"due_on": due_on}, issue=issue.text)
    return task


@dataclass(frozen=True)
class IssueRow:
    """An issue as the meeting's page shows it, with its task's state when it is one."""

    id: int
    text: str
    answer: str
    task_id: int | None
    task_title: str | None
    task_status: str | None
    task_due_on: date | None
    task_done_on: date | None

    @property
    def task_status_label(self) -> str:
        return str(TASK_STATUS_NAMES.get(self.task_status, self.task_status or ""))

    @property
    def task_late(self) -> bool:
        """A task not done (nor cancelled) whose due date has passed, or one done late."""
        if self.task_due_on is None or self.task_status == "cancelled":
            return False
        if self.task_status == "done":
            return self.task_done_on is not None and self.task_done_on > self.task_due_on
        return self.task_due_on < today()


def issue_rows(dialogue: Dialogue) -> list[IssueRow]:
    """The meeting's issues in the order they were recorded."""
    return [
        IssueRow(
            id=issue.id,
            text=issue.text,
            answer=issue.answer,
            task_id=issue.task_id,
            task_title=issue.task.title if issue.task else None,
            task_status=issue.task.status if issue.task else None,
            task_due_on=issue.task.due_on if issue.task else None,
            task_done_on=issue.task.done_on if issue.task else None,
        )
        for issue in dialogue.issues
    ]
