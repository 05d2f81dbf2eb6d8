"""The audit log's words for the programmes and their tasks (their import, their evidence
files, feedback made a task, the morning e-mail of reminders too): the kinds of change, each
action's sentence (the programme and the task by their titles, a file by the name it was
uploaded with, the number of officers a reminder went to, as the entry logged them) and the
fields' labels, which the audit page (survey/admin/audit_words.py) adds to its own."""

from flask_babel import lazy_gettext as _l

AUDIT_KINDS = {
    "tasks.": _l("Tasks imported from a file"),
    "evidence.": _l("Evidence of tasks"),
    "programme.": _l("Coordination programmes"),
    "task.": _l("Tasks of the programmes"),
    "reminders.": _l("Reminders of tasks by e-mail"),
}

AUDIT_ACTIONS = {
    "reminders.digest": (
        _l("Reminders e-mailed"),
        _l("sent the reminder e-mail of tasks to %(sent)s officers"),
    ),
    "tasks.import": (
        _l("Tasks imported"),
        _l("imported %(added)s tasks of the coordination programmes from a file"),
    ),
    "evidence.upload": (
        _l("Evidence uploaded"),
        _l("uploaded the evidence “%(filename)s” for the task “%(task)s”"),
    ),
    "evidence.publish": (
        _l("Evidence made public"),
        _l("made the evidence “%(filename)s” of the task “%(task)s” public"),
    ),
    "evidence.unpublish": (
        _l("Evidence no longer public"),
        _l("stopped showing the evidence “%(filename)s” of the task “%(task)s” publicly"),
    ),
    "evidence.delete": (
        _l("Evidence deleted"),
        _l("deleted the evidence “%(filename)s” of the task “%(task)s”"),
    ),
    "feedback.task_create": (
        _l("Task made from feedback"),
        _l("made the task “%(task)s” from a feedback item to %(org)s"),
    ),
    "feedback.task_attach": (
        _l("Feedback attached to a task"),
        _l("attached a feedback item to %(org)s to the task “%(task)s”"),
    ),
    "feedback.task_detach": (
        _l("Feedback detached from its task"),
        _l("detached a feedback item to %(org)s from the task “%(task)s”"),
    ),
    "programme.create": (
        _l("Programme added"),
        _l("added the coordination programme “%(programme)s”"),
    ),
    "programme.update": (
        _l("Programme changed"),
        _l("changed the coordination programme “%(programme)s”"),
    ),
    "programme.delete": (
        _l("Programme deleted"),
        _l("deleted the coordination programme “%(programme)s”"),
    ),
    "task.create": (
        _l("Task added"),
        _l("added the task “%(task)s” to the programme “%(programme)s”"),
    ),
    "task.update": (
        _l("Task changed"),
        _l("changed the task “%(task)s” of the programme “%(programme)s”"),
    ),
    "task.note": (
        _l("Progress note written"),
        _l("wrote a progress note on the task “%(task)s” of the programme “%(programme)s”"),
    ),
    "task.start": (
        _l("Task under way"),
        _l("marked the task “%(task)s” of the programme “%(programme)s” under way"),
    ),
    "task.finish": (
        _l("Task done"),
        _l("marked the task “%(task)s” of the programme “%(programme)s” done"),
    ),
    "task.cancel": (
        _l("Task cancelled"),
        _l("cancelled the task “%(task)s” of the programme “%(programme)s”"),
    ),
    "task.reopen": (
        _l("Task reopened"),
        _l("reopened the task “%(task)s” of the programme “%(programme)s”"),
    ),
}

AUDIT_FIELDS = {
    "failed": _l("E-mails the server did not take"),
    "public": _l("Public with the reply to the feedback"),
    "theme": _l("Theme of the programme"),
    "parties": _l("Organizations taking part"),
    "with_commune_government": _l("The commune People's Committee takes part"),
    "owner": _l("Person responsible"),
    "supporting": _l("Supporting parties"),
    "started_on": _l("Start"),
    "due_on": _l("Due date"),
    "done_on": _l("Day it was done"),
    "written_on": _l("Day"),
    "progress_note": _l("Progress note"),
}
