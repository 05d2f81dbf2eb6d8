"""The audit log's words for the programmes and their tasks: the kinds of change, each
action's sentence (the programme and the task by their titles, as the entry logged them) and
the fields' labels, which the audit page (survey/admin/audit_words.py) adds to its own."""

from flask_babel import lazy_gettext as _l

AUDIT_KINDS = {
    "programme.": _l("Coordination programmes"),
    "task.": _l("Tasks of the programmes"),
}

AUDIT_ACTIONS = {
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
