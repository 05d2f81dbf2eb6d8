"""The year's tasks as the rating reads them (Quy định 366's `tasks_on_time`).

A task counts in its organization's year when it is due in that year and by the day asked (a
task due next month is not late yet); a cancelled task does not count. It is on time when done
on or before its due date, late when done after it, and not done otherwise.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from analytics import TaskCounts
from survey.core.extensions import db
from survey.models import Task


def task_counts(year: int, today: date) -> dict[int, TaskCounts]:
    """Per organization id: its tasks due in `year` by `today`, done, and done late."""
    last = min(date(year, 12, 31), today)
    done = Task.status == "done"
    rows = db.session.execute(
        sa.select(
            Task.organization_id,
            sa.func.count(),
            sa.func.count().filter(done),
            sa.func.count().filter(done, Task.done_on > Task.due_on),
        )
        .where(
            Task.due_on >= date(year, 1, 1),
            Task.due_on <= last,
            Task.status != "cancelled",
        )
        .group_by(Task.organization_id)
    ).all()
    return {org: TaskCounts(int(n), int(d), int(late)) for org, n, d, late in rows}
