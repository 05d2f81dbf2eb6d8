"""The dialogues' audit entries in words, for the audit log's page (survey.admin.audit_words):
each action's name and sentence, and the labels of the fields they change."""

from flask_babel import lazy_gettext as _l

KINDS = {"dialogue.": _l("Dialogues and voter contacts")}

# Each action: its name in the filter, and the sentence of an entry (without who did it);
# %(meeting)s is the meeting's title, %(org)s its organization.
ACTIONS = {
    "dialogue.create": (
        _l("Meeting planned"),
        _l("planned the meeting “%(meeting)s” of %(org)s"),
    ),
    "dialogue.update": (
        _l("Meeting changed"),
        _l("changed the meeting “%(meeting)s” of %(org)s"),
    ),
    "dialogue.delete": (
        _l("Planned meeting deleted"),
        _l("deleted the planned meeting “%(meeting)s” of %(org)s"),
    ),
    "dialogue.issue": (
        _l("Issue raised recorded"),
        _l("recorded an issue raised at the meeting “%(meeting)s” of %(org)s"),
    ),
    "dialogue.answer": (
        _l("Answer to an issue written"),
        _l("wrote the answer to an issue raised at the meeting “%(meeting)s” of %(org)s"),
    ),
    "dialogue.task": (
        _l("Issue made a task"),
        _l("made an issue raised at the meeting “%(meeting)s” of %(org)s a task"),
    ),
}

FIELD_LABELS = {
    "meeting_kind": _l("Kind of meeting"),
    "held_on": _l("Day"),
    "held": _l("Held"),
    "organizers": _l("Organized together with"),
    "leaders_present": _l("Commune leaders present"),
    "attending": _l("People attending"),
    "issue": _l("Issue raised"),
    "answer": _l("Answer given on the spot"),
    "task": _l("Task"),
    "programme": _l("Coordination programme"),
    "owner": _l("Person responsible"),
    "due_on": _l("Due date"),
}
