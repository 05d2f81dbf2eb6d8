"""The forms of the dialogues: a meeting, an issue raised, its answer, and its task."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from survey.core.forms import OfficerForm, choices_of
from survey.core.local_time import typed_day
from survey.dialogues.meetings import DIALOGUE_KIND_NAMES

LARGEST_MEETING = 100_000


def a_day(form, field):
    """A day typed dd/mm/yyyy (or ISO, as date inputs send it); kept as a date in `field.day`."""
    try:
        field.day = typed_day(field.data or "")
    except ValueError:
        field.day = None
        raise ValidationError(_l("Write the day as day/month/year, e.g. 05/03/2026.")) from None


def a_count(form, field):
    """An empty box, or a whole number 0 or more; kept in `field.count`."""
    text = (field.data or "").strip()
    field.count = None
    if not text:
        return
    # [0-9] only: "²" is a digit to str.isdigit() and not a number to int()
    if not re.fullmatch(r"[0-9]{1,7}", text) or int(text) > LARGEST_MEETING:
        raise ValidationError(_l("Write a whole number, 0 or more, without dots or spaces."))
    field.count = int(text)


class DialogueForm(OfficerForm):
    """A dialogue or voter contact: planned for a day, later marked held."""

    organization = SelectField(_l("Organization that organizes it"))
    kind = SelectField(_l("Kind of meeting"), choices=choices_of(DIALOGUE_KIND_NAMES))
    title = StringField(
        _l("Subject of the meeting"),
        validators=[
            DataRequired(message=_l("Write what the meeting is about.")),
            Length(max=300),
        ],
    )
    held_on = StringField(_l("Day (dd/mm/yyyy)"), validators=[a_day])
    unit = SelectField(_l("Where"))
    organizers = StringField(_l("Organized together with"), validators=[Length(max=300)])
    held = BooleanField(_l("The meeting has been held"))
    attending = StringField(_l("People attending"), validators=[a_count])
    leaders_present = StringField(_l("Commune leaders present"), validators=[Length(max=300)])
    note = TextAreaField(_l("Notes"), validators=[Length(max=5000)])

    def __init__(self, organizations, villages, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization.choices = [(o.code, o.name) for o in organizations]
        self.unit.choices = [("", _l("Whole commune")), *((u.code, u.name) for u in villages)]


class IssueForm(OfficerForm):
    """An issue people raised at the meeting."""

    text = TextAreaField(
        _l("Issue raised"),
        validators=[
            DataRequired(message=_l("Write the issue people raised.")),
            Length(max=5000),
        ],
    )


class AnswerForm(OfficerForm):
    """The answer given on the spot to an issue."""

    answer = TextAreaField(
        _l("Answer given on the spot"),
        validators=[
            DataRequired(message=_l("Write the answer that was given.")),
            Length(max=5000),
        ],
    )


class TaskForm(OfficerForm):
    """An issue made a task of a coordination programme."""

    programme = SelectField(_l("Coordination programme"))
    title = StringField(
        _l("Task"),
        validators=[DataRequired(message=_l("Write the task.")), Length(max=300)],
    )
    owner = StringField(
        _l("Person responsible"),
        validators=[
            DataRequired(message=_l("Write who is responsible for it.")),
            Length(max=160),
        ],
    )
    due_on = StringField(_l("Due date (dd/mm/yyyy)"), validators=[a_day])

    def __init__(self, programmes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = [(str(p.id), p.title) for p in programmes]
