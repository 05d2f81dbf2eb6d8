"""The form of the feedback item page: topic, status, forwarding, public reply, publication."""

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from survey.core.forms import OfficerForm
from survey.core.local_time import typed_day
from survey.feedback.follow_up import SHORT_TITLE, open_tasks, programmes_for
from survey.feedback.inbox import (
    REFUSALS,
    STATUS_LABELS,
    TOPICS,
    FeedbackChange,
    allowed_statuses,
    refusals,
    topic_label,
    with_implied_answer,
)
from survey.programmes.task_steps import short_title

REFUSAL_MESSAGES = {
    "unknown topic": _l("Choose one of the topics in the list."),
    "status not allowed": _l("This step is not possible from the current status."),
    "closed is final": _l(
        "A closed item stays closed; ask the Party Committee Office to reopen it."
    ),
    "forward needs a recipient": _l("Write to whom the feedback is forwarded."),
    "answer needs a reply": _l("Write the reply before marking the item answered."),
    "reply frozen when closed": _l("The reply of a closed item can no longer change."),
    "publish needs an answer": _l("Only an answered or closed item can be published."),
    "publish needs a reply": _l("Write the reply before publishing it."),
}


class FeedbackItemForm(OfficerForm):
    """Everything an officer changes on one feedback item, checked against the status flow."""

    topic = SelectField(_l("Topic"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    forwarded_to = StringField(
        _l("Forwarded to"),
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))],
    )
    public_reply = TextAreaField(
        _l("Public reply"),
        validators=[Length(max=4000, message=_l("Keep the reply under 4000 characters."))],
    )
    published = BooleanField(_l("Publish the feedback and the reply on the public page"))

    def __init__(self, item, user, **kwargs):
        data = {
            "topic": item.topic or "",
            "status": item.status,
            "forwarded_to": item.forwarded_to,
            "public_reply": item.public_reply,
            "published": item.published,
        }
        super().__init__(data=data, **kwargs)
        self.item, self.user = item, user
        topics = [("", str(topic_label(None)))] + [(code, str(t)) for code, t in TOPICS.items()]
        if item.topic and item.topic not in TOPICS:  # an older code is kept as it is
            topics.append((item.topic, item.topic))
        self.topic.choices = topics
        self.status.choices = [
            (status, str(STATUS_LABELS[status]))
            for status in (item.status, *allowed_statuses(item, user))
        ]

    def change(self):
        """The change asked for, as the inbox logic takes it (a published reply answers)."""
        asked = FeedbackChange(
            topic=self.topic.data or None,
            status=self.status.data or "",
            forwarded_to=self.forwarded_to.data or "",
            public_reply=self.public_reply.data or "",
            published=bool(self.published.data),
        )
        return with_implied_answer(self.item, self.user, asked)

    def validate(self, extra_validators=None):
        """The field checks, then the status flow and publication rules."""
        if not super().validate(extra_validators):
            return False
        for reason in refusals(self.item, self.user, self.change()):
            field = getattr(self, REFUSALS[reason])
            field.errors = [*field.errors, REFUSAL_MESSAGES[reason]]
        return not any(field.errors for field in self)


FOLLOW_UP_MESSAGES = {
    "already linked": _l("This feedback already has a task. Detach it first."),
    "not linked": _l("This feedback has no task."),
    "programme": _l("Choose one of this year's programmes of the organization."),
    "task": _l("Choose one of the organization's open tasks."),
}


class TaskFromFeedbackForm(OfficerForm):
    """A new task made from a feedback item: programme, title, person responsible, due date."""

    programme = SelectField(_l("Programme"), coerce=int, validate_choice=False)
    title = StringField(
        _l("What will be done"),
        validators=[
            InputRequired(message=_l("Write what will be done.")),
            Length(max=300, message=_l("Keep it under 300 characters.")),
        ],
    )
    owner = StringField(
        _l("Person responsible (name and position)"),
        validators=[
            InputRequired(message=_l("Write who is responsible.")),
            Length(max=160, message=_l("Keep it under 160 characters.")),
        ],
    )
    due = StringField(
        _l("Due date (dd/mm/yyyy)"),
        validators=[InputRequired(message=_l("Write the due date, as 30/06/2025."))],
    )

    def __init__(self, item, **kwargs):
        super().__init__(data={"title": short_title(item.text, SHORT_TITLE)}, **kwargs)
        self.programme.choices = [(p.id, p.title) for p in programmes_for(item)]
        self.due_on = None

    def validate_due(self, field):
        try:
            self.due_on = typed_day(field.data or "")
        except ValueError as error:
            raise ValidationError(
                _l("Write the due date as day/month/year, e.g. 30/06/2025.")
            ) from error

    def validate_programme(self, field):
        if field.data not in {value for value, _label in self.programme.choices}:
            raise ValidationError(FOLLOW_UP_MESSAGES["programme"])


class AttachTaskForm(OfficerForm):
    """A feedback item attached to one of its organization's open tasks."""

    task = SelectField(_l("Open task"), coerce=int, validate_choice=False)

    def __init__(self, item, **kwargs):
        super().__init__(**kwargs)
        self.task.choices = [
            (
                t.id,
                _(
                    "%(title)s (due %(date)s)",
                    title=t.title,
                    date=format_date(t.due_on, "dd/MM/yyyy"),
                ),
            )
            for t in open_tasks(item.organization_id)
        ]

    def validate_task(self, field):
        if field.data not in {value for value, _label in self.task.choices}:
            raise ValidationError(FOLLOW_UP_MESSAGES["task"])
