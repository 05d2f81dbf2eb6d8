"""The audit entries of programmes, tasks and their evidence in words, for the audit log's page
(survey.admin.audit_words): each kind and action's name, its sentence (without who did it),
and the labels of the fields they change. %(task)s is a task's title, %(filename)s the name a
file was uploaded with, %(org)s an organization."""

from flask_babel import lazy_gettext as _l

KINDS = {
    "tasks.": _l("Tasks imported from a file"),
    "evidence.": _l("Evidence of tasks"),
}

ACTIONS = {
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
}

FIELD_LABELS = {
    "public": _l("Public with the reply to the feedback"),
}
