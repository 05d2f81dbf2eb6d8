"""A programme's timeline: its tasks due and done per month, for the chart and the table beside
it on the programme's page.

A task counts as due in the month of its due date, and as done in the month of the day it was
done (which may be another month: a task done late counts where it was done). A cancelled task
is no longer due, so it counts in neither. The months run from the first to the last month that
holds one of these dates, the months between included with zeros.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MonthCount:
    """One month of the timeline: its first day, the tasks due in it and those done in it."""

    month: date
    due: int
    done: int


def _month(day):
    return date(day.year, day.month, 1)


def _next(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_due_and_done(tasks):
    """The timeline of `tasks` (objects or rows with `due_on`, `status` and `done_on`).

    >>> class T:
    ...     def __init__(self, due, status="planned", done=None):
    ...         self.due_on, self.status, self.done_on = due, status, done
    >>> months_due_and_done([T(date(2025, 1, 31)), T(date(2025, 3, 5), "done", date(2025, 3, 1))])
    ... # doctest: +NORMALIZE_WHITESPACE
    (MonthCount(month=datetime.date(2025, 1, 1), due=1, done=0),
     MonthCount(month=datetime.date(2025, 2, 1), due=0, done=0),
     MonthCount(month=datetime.date(2025, 3, 1), due=1, done=1))
    """
    counted = [t for t in tasks if t.status != "cancelled"]
    due = Counter(_month(t.due_on) for t in counted)
    done = Counter(_month(t.done_on) for t in counted if t.status == "done" and t.done_on)
    months = set(due) | set(done)
    if not months:
        return ()
    found, month, last = [], min(months), max(months)
    while month <= last:
        found.append(MonthCount(month, due[month], done[month]))
        month = _next(month)
    return tuple(found)


def chart_spec(months, due_label, done_label):
    """The chart's data (static/js/charts.js, kind `months`): a label per month (mm/yyyy) and
    the two series."""
    return {
        "labels": [m.month.strftime("%m/%Y") for m in months],
        "datasets": [
            {"label": str(due_label), "data": [m.due for m in months]},
            {"label": str(done_label), "data": [m.done for m in months]},
        ],
    }
