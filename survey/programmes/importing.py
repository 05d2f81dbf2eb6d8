"""`flask tasks import`: tasks of the coordination programmes from a CSV file, whole or not at
all.

Header: `organization,programme,title,owner,due,done_at`, then any of `status,supporting,
started,note`. Dates are YYYY-MM-DD; an empty `done_at` means not done. The status, when
given, is planned, in_progress, done or cancelled (a cancelled task needs its reason in
`note`); without it, a task is done when it has a `done_at`, in progress when it has a
`started`, planned otherwise. The dates keep the task form's rules: due and done on or after
the start, done not after today (in the commune). A programme named in the file is created in
the year of the task's due date when that year has none by that title; the organizations of
its tasks become its parties. Each bad row is named `line N, column X: reason`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from survey.audit import trail
from survey.core.extensions import db
from survey.core.text_safety import strip_control
from survey.models import TASK_STATUSES, Organization, Programme, Task
from survey.programmes.year_tasks import commune_today
from survey.responses.importing import ImportRejected, read_header, refuse_if_any

REQUIRED = ("organization", "programme", "title", "owner", "due", "done_at")
OPTIONAL = ("status", "supporting", "started", "note")
LENGTHS = {"programme": 300, "title": 300, "owner": 160, "supporting": 300, "note": 2000}


@dataclass(frozen=True)
class TasksImported:
    tasks: int
    programmes: int


def _day(text):
    return date.fromisoformat(text) if text else None


def _check_header(header):
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected(
            [f"line 1: missing column {missing[0]!r} (needed: {','.join(REQUIRED)})"]
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise ImportRejected([f"line 1: unknown column {unknown[0]!r}"])
    if len(set(header)) != len(header):
        raise ImportRejected(["line 1: a column is named twice"])


def _check_days(days, today):
    """The problems of a row's dates with each other and with today, as (column, reason)."""
    started, due, done = days.get("started"), days.get("due"), days.get("done_at")
    problems = []
    if started and due and due < started:
        problems.append(("due", f"before the start {started.isoformat()}"))
    if started and done and done < started:
        problems.append(("done_at", f"before the start {started.isoformat()}"))
    if done and done > today:
        problems.append(("done_at", f"after today {today.isoformat()}"))
    return problems


def _check_row(row, organizations, today):
    """The task a row describes, or the problems as (column, reason)."""
    problems = []
    org = organizations.get(row["organization"])
    if org is None:
        problems.append(("organization", f"unknown organization {row['organization']!r}"))
    for column in ("programme", "title", "owner"):
        if not row[column]:
            problems.append((column, "empty"))
    for column, limit in LENGTHS.items():
        if len(row.get(column, "")) > limit:
            problems.append((column, f"longer than {limit} characters"))
    days = {}
    for column in ("due", "done_at", "started"):
        try:
            days[column] = _day(row.get(column, ""))
        except ValueError:
            problems.append((column, f"not a date YYYY-MM-DD: {row[column]!r}"))
    if "due" not in [c for c, _r in problems] and days.get("due") is None:
        problems.append(("due", "empty"))
    problems.extend(_check_days(days, today))
    status = row.get("status") or (
        "done" if days.get("done_at") else "in_progress" if days.get("started") else "planned"
    )
    if status not in TASK_STATUSES:
        problems.append(("status", f"must be one of {', '.join(TASK_STATUSES)}"))
    elif (status == "done") != (days.get("done_at") is not None):
        problems.append(("done_at", "a task is done exactly when it has a done_at"))
    elif status == "cancelled" and not row.get("note"):
        problems.append(("note", "a cancelled task needs its reason"))
    if problems:
        return None, problems
    return {
        "organization": org,
        "programme": row["programme"],
        "title": row["title"],
        "owner": row["owner"],
        "supporting": row.get("supporting", ""),
        "started_on": days.get("started"),
        "due_on": days["due"],
        "done_on": days.get("done_at"),
        "status": status,
        "note": row.get("note", ""),
    }, []


def import_tasks(lines, source="import", today=None) -> TasksImported:
    """Check every row of the CSV `lines`, then store them all; ImportRejected otherwise."""
    today = today or commune_today()
    reader, header = read_header(lines)
    _check_header(header)
    organizations = {o.code: o for o in db.session.scalars(sa.select(Organization))}
    errors, tasks = [], []
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(f"line {line_no}: {len(cells)} values for {len(header)} columns")
            continue
        row = dict(zip(header, (strip_control(c).strip() for c in cells), strict=True))
        task, problems = _check_row(row, organizations, today)
        errors.extend(f"line {line_no}, column {column}: {reason}" for column, reason in problems)
        if task is not None:
            tasks.append(task)
    refuse_if_any(errors)
    return _store(tasks, source)


def _store(tasks, source):
    programmes, created = {}, 0
    for task in tasks:
        key = (task["due_on"].year, task["programme"])
        programme = programmes.get(key)
        if programme is None:
            programme = db.session.scalar(
                sa.select(Programme).where(Programme.year == key[0], Programme.title == key[1])
            )
            if programme is None:
                programme = Programme(year=key[0], title=key[1])
                db.session.add(programme)
                created += 1
            programmes[key] = programme
        if task["organization"] not in programme.parties:
            programme.parties.append(task["organization"])
        db.session.add(
            Task(
                programme=programme,
                organization_id=task["organization"].id,
                **{k: v for k, v in task.items() if k not in ("organization", "programme")},
            )
        )
    db.session.flush()
    trail.record("tasks.import", source, added=len(tasks), programmes=created)
    return TasksImported(len(tasks), created)
