"""Reminders of tasks: those due within the coming days and those overdue, as plain rows.

A task needs a reminder while it is neither done nor cancelled and its due date is at most
REMIND_DAYS days away in the commune's time (today included), or has passed. The workspace
home shows them to each officer who answers for them or reads them, and the daily e-mail
(survey/programmes/digest.py) sends them to the officers of each organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from survey.accounts.access import READ_ALL_ROLES
from survey.core.extensions import db
from survey.models import Organization, Programme, Task
from survey.programmes.year_tasks import OPEN_STATUSES, commune_today

REMIND_DAYS = 7
# What the workspace home lists at most; the rest are counted.
SHOWN = 20


@dataclass(frozen=True)
class Reminder:
    """A task to remind of: its title, organization by name, due date and days left, its
    programme and the person responsible."""

    task_id: int
    title: str
    organization: str
    due_on: date
    days_left: int  # negative: days overdue
    organization_id: int
    programme: str
    owner: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def reminders(organization_id: int | None = None, today: date | None = None) -> list[Reminder]:
    """The tasks to remind of, overdue first (the longest overdue first), then by due date;
    every organization's, or `organization_id`'s only."""
    today = today or commune_today()
    query = (
        sa.select(
            Task.id,
            Task.title,
            Organization.name,
            Task.due_on,
            Organization.id,
            Programme.title,
            Task.owner,
        )
        .join(Organization, Organization.id == Task.organization_id)
        .join(Programme, Programme.id == Task.programme_id)
        .where(
            Task.status.in_(OPEN_STATUSES),
            Task.due_on <= today + timedelta(days=REMIND_DAYS),
        )
        .order_by(Task.due_on, Organization.position, Task.id)
    )
    if organization_id is not None:
        query = query.where(Task.organization_id == organization_id)
    return [
        Reminder(task_id, title, name, due_on, (due_on - today).days, org_id, programme, owner)
        for task_id, title, name, due_on, org_id, programme, owner in db.session.execute(query)
    ]


def reminders_for(user, today: date | None = None) -> list[Reminder] | None:
    """The reminders an officer sees: an organization's officer its organization's, the office
    and the readers of every organization all of them; None for a village officer, who
    answers for no task."""
    if user.role in READ_ALL_ROLES:
        return reminders(None, today)
    if user.role == "org_officer" and user.organization_id is not None:
        return reminders(user.organization_id, today)
    return None
