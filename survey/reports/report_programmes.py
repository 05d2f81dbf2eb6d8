"""The year-end report's section on the coordination programmes: per programme, its tasks and
how they stand (done on time, late, not done, cancelled) with their evidence files."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.models.vocabulary import TASK_STATUS_NAMES
from survey.reports.report_text import DASH, Bullets, Heading, Paragraph, Table, as_number


def _day(day):
    return DASH if day is None else day.strftime("%d/%m/%Y")


def _standing(programme):
    count = len(programme.tasks)
    return (
        _("Tasks: %(count)s.", count=as_number(count, 0)),
        _("Done on time: %(count)s.", count=as_number(programme.done_on_time, 0)),
        _("Done late: %(count)s.", count=as_number(programme.done_late, 0)),
        _(
            "Not done: %(count)s, of which past their due date: %(overdue)s.",
            count=as_number(programme.not_done, 0),
            overdue=as_number(programme.overdue, 0),
        ),
        _("Cancelled: %(count)s.", count=as_number(programme.cancelled, 0)),
        _("Evidence files: %(count)s.", count=as_number(programme.evidence, 0)),
    )


def _state(task):
    words = str(TASK_STATUS_NAMES[task.status])
    if task.late:
        words += " (" + _("late") + ")"
    elif task.overdue:
        words += " (" + _("past its due date") + ")"
    return words


def _tasks_table(programme):
    return Table(
        (
            _("Task"),
            _("Organization"),
            _("Person responsible"),
            _("Due date"),
            _("State"),
            _("Done on"),
            _("Evidence files"),
        ),
        tuple(
            (
                task.title,
                task.organization,
                task.owner,
                _day(task.due_on),
                _state(task),
                _day(task.done_on),
                as_number(task.evidence, 0),
            )
            for task in programme.tasks
        ),
        numeric=(6,),
        widths=(2.8, 1.8, 1.6, 1.1, 1.4, 1.1, 0.8),
    )


def programme_blocks(data, number: str) -> list:
    """The section `number` (a Roman numeral) on the year's programmes; none without any."""
    if not data.programmes:
        return []
    blocks = [
        Heading(_("%(number)s. COORDINATION PROGRAMMES", number=number)),
        Paragraph(
            _(
                "%(count)s coordination programmes in %(year)s; their tasks as they stood on "
                "%(date)s.",
                count=len(data.programmes),
                year=data.year,
                date=_day(data.today),
            )
        ),
    ]
    for position, programme in enumerate(data.programmes, start=1):
        blocks.append(Heading(f"{position}. {programme.title}", level=2))
        if programme.topic:
            blocks.append(Paragraph(_("Topic: %(topic)s", topic=programme.topic), "italic"))
        if not programme.tasks:
            blocks.append(Paragraph(_("No tasks were recorded for this programme.")))
            continue
        blocks.append(Bullets(_standing(programme)))
        blocks.append(_tasks_table(programme))
    return blocks
