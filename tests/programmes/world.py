"""Programmes and tasks for the tests of reminders, the tasks API, the workbook, the report
and the overview: make_task(db, organization, **overrides) adds and flushes one task, with its
programme made (or found) by title and year."""

import sqlalchemy as sa

from survey.models import Programme, Task


def make_programme(db, title="Chương trình phối hợp giảm nghèo", year=2025, **overrides):
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.title == title, Programme.year == year)
    )
    if programme is None:
        programme = Programme(title=title, year=year, **overrides)
        db.session.add(programme)
        db.session.flush()
    return programme


def make_task(db, organization, due_on, programme=None, **overrides):
    """A task of `organization` due on `due_on`; done when given `done_on`."""
    programme = programme or make_programme(db, year=due_on.year)
    if organization not in programme.parties:
        programme.parties.append(organization)
    fields = {"title": "Tập huấn kỹ thuật", "owner": "Phạm Văn Thành"} | overrides
    if fields.get("done_on") is not None:
        fields.setdefault("status", "done")
    task = Task(programme=programme, organization=organization, due_on=due_on, **fields)
    db.session.add(task)
    db.session.flush()
    return task
