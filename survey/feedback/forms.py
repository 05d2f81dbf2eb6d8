"""The form of the feedback item page: topic, status, forwarding, public reply, publication."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from survey.core.forms import OfficerForm
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
