"""The forms of the programme and task pages: a programme, a task, a progress note, a step of a
task's state, and the confirmation that deletes an empty programme. Days are typed dd/mm/yyyy
(commune days); what the rules refuse comes back from the services as a Refused, worded here
and put on its field."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from survey.core.forms import OfficerForm
from survey.core.local_time import current_year, typed_day
from survey.programmes.programme_changes import YEAR_MIN, ProgrammeFields
from survey.programmes.task_steps import NOTE_LENGTH, TaskFields
from survey.surveys.forms import MultiCheckboxField

# Each reason a service refuses a change, in words (with the names it carries).
REFUSALS = {
    "not a party": _l("Choose one of the organizations of this programme."),
    "not your own": _l("An organization's officer adds and changes its own tasks only."),
    "due before start": _l("The due date cannot come before the start."),
    "start after done": _l("The start cannot come after the day the task was done."),
    "finished tasks are the office's": _l(
        "This task is finished: only the Party Committee Office changes it now."
    ),
    "past due date is the office's": _l(
        "The due date has passed: only the Party Committee Office moves it now, since the "
        "rating counts the task late against it."
    ),
    "note needs text": _l("Write what was done."),
    "note too long": _l("Keep it under 2000 characters."),
    "note in the future": _l("A progress note cannot be dated after today."),
    "step not possible": _l("This step is not possible from the task's current state."),
    "reopening is the office's": _l("Only the Party Committee Office reopens a finished task."),
    "done needs its day": _l("Write the day the task was done."),
    "done in the future": _l("The day it was done cannot be after today."),
    "done before start": _l("The day it was done cannot come before its start (%(start)s)."),
    "cancel needs a reason": _l("Write why the task is cancelled."),
    "reopen needs confirmation": _l("Tick the box to confirm."),
    "year out of range": _l("Choose a year from the list."),
    "no party": _l("Choose at least one organization."),
    "title taken": _l("A programme of %(year)s already has this title."),
    "party has tasks": _l(
        "%(name)s still has tasks in this programme: it stays one of its organizations."
    ),
    "programme has tasks": _l("A programme that has tasks cannot be deleted."),
    "delete needs confirmation": _l("Tick the box to confirm."),
}


def _stripped(value):
    """Typed text without the spaces around it (a title of spaces is no title)."""
    return value.strip() if isinstance(value, str) else value


STRIPPED = [_stripped]


def _a_day(form, field):
    text = (field.data or "").strip()
    if not text:
        return
    try:
        day = typed_day(text)
    except (ValueError, OverflowError):
        raise ValidationError(_l("Write the day as dd/mm/yyyy, e.g. 30/06/2026.")) from None
    if not YEAR_MIN <= day.year <= current_year() + 10:
        raise ValidationError(_l("Check the year of this day."))


def day_or_none(field):
    """A checked day field's day, or None when left empty."""
    text = (field.data or "").strip()
    return typed_day(text) if text else None


def shown_day(day):
    """A day as the forms show it: dd/mm/yyyy, or empty."""
    return day.strftime("%d/%m/%Y") if day else ""


class RefusalsOnFields:
    """Puts a service's Refused on its field (or above the form), in words."""

    def refuse(self, refused):
        message = REFUSALS[refused.reason] % {k: _shown(v) for k, v in refused.names.items()}
        field = getattr(self, refused.field, None) if refused.field else None
        if field is None:
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def _shown(value):
    return shown_day(value) if hasattr(value, "strftime") else value


class ProgrammeForm(RefusalsOnFields, OfficerForm):
    """A programme: its year, title, theme and parties."""

    year = SelectField(_l("Year"), coerce=int, validate_choice=False)
    title = StringField(
        _l("Name of the programme"),
        filters=STRIPPED,
        validators=[
            DataRequired(_l("Write the programme's name.")),
            Length(max=300, message=_l("Keep it under 300 characters.")),
        ],
    )
    topic = StringField(
        _l("Theme of the programme"),
        filters=STRIPPED,
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))],
    )
    parties = MultiCheckboxField(_l("Organizations taking part"), coerce=int, choices=[])
    with_commune_government = BooleanField(
        _l("The commune People's Committee takes part"), default=True
    )

    def __init__(self, organizations, programme=None, **kwargs):
        if programme is not None:  # what is stored; a sent form's data comes first
            kwargs["data"] = {
                "year": programme.year,
                "title": programme.title,
                "topic": programme.topic,
                "parties": [party.id for party in programme.parties],
                "with_commune_government": programme.with_commune_government,
            }
        super().__init__(**kwargs)
        years = list(range(current_year() + 1, current_year() - 5, -1))
        if programme is not None and programme.year not in years:
            years.append(programme.year)
        self.year.choices = [(y, str(y)) for y in years]
        if programme is None and self.year.data is None:
            self.year.data = current_year()
        self.parties.choices = [(org_id, name) for org_id, name in organizations]

    def fields(self):
        return ProgrammeFields(
            year=self.year.data,
            title=self.title.data.strip(),
            topic=(self.topic.data or "").strip(),
            party_ids=tuple(self.parties.data or ()),
            with_commune_government=bool(self.with_commune_government.data),
        )


class TaskForm(RefusalsOnFields, OfficerForm):
    """A task: its organization, title, the person responsible, the supporting parties, its
    start and due date."""

    title = StringField(
        _l("Task"),
        filters=STRIPPED,
        validators=[
            DataRequired(_l("Write what is to be done.")),
            Length(max=300, message=_l("Keep it under 300 characters.")),
        ],
    )
    organization = SelectField(_l("Organization responsible"), coerce=int, validate_choice=False)
    owner = StringField(
        _l("Person responsible"),
        filters=STRIPPED,
        validators=[
            DataRequired(_l("Write the name and position of the person responsible.")),
            Length(max=160, message=_l("Keep it under 160 characters.")),
        ],
    )
    supporting = StringField(
        _l("Supporting parties"),
        filters=STRIPPED,
        validators=[Length(max=300, message=_l("Keep it under 300 characters."))],
    )
    started_on = StringField(_l("Start"), filters=STRIPPED, validators=[_a_day])
    due_on = StringField(
        _l("Due date"),
        filters=STRIPPED,
        validators=[DataRequired(_l("Write the due date.")), _a_day],
    )

    def __init__(self, choices, task=None, **kwargs):
        if task is not None:  # what is stored; a sent form's data comes first
            kwargs["data"] = {
                "title": task.title,
                "organization": task.organization_id,
                "owner": task.owner,
                "supporting": task.supporting,
                "started_on": shown_day(task.started_on),
                "due_on": shown_day(task.due_on),
            }
        super().__init__(**kwargs)
        self.organization.choices = choices
        if len(choices) == 1 and self.organization.data is None:
            self.organization.data = choices[0][0]

    def fields(self):
        return TaskFields(
            organization_id=self.organization.data,
            title=self.title.data.strip(),
            owner=self.owner.data.strip(),
            supporting=(self.supporting.data or "").strip(),
            started_on=day_or_none(self.started_on),
            due_on=day_or_none(self.due_on),
        )


class NoteForm(RefusalsOnFields, OfficerForm):
    """A dated progress note."""

    written_on = StringField(
        _l("Day"),
        filters=STRIPPED,
        validators=[DataRequired(_l("Write the day of the note.")), _a_day],
    )
    text = TextAreaField(
        _l("What was done"),
        filters=STRIPPED,
        validators=[
            DataRequired(_l("Write what was done.")),
            Length(max=NOTE_LENGTH, message=_l("Keep it under 2000 characters.")),
        ],
    )


class StepForm(RefusalsOnFields, OfficerForm):
    """A step of a task's state: `step` names it; finishing needs `done_on`, cancelling a
    `reason`, reopening the `confirm` box."""

    step = HiddenField()
    done_on = StringField(_l("Day it was done"), filters=STRIPPED, validators=[_a_day])
    reason = TextAreaField(
        _l("Why it is cancelled"),
        validators=[Length(max=NOTE_LENGTH, message=_l("Keep it under 2000 characters."))],
    )
    confirm = BooleanField(_l("Yes, reopen this task"))


class DeleteForm(RefusalsOnFields, OfficerForm):
    """The confirmation that deletes a programme without tasks."""

    confirm = BooleanField(_l("Yes, delete this programme"))
