"""The base every officer form is built on: texts typed in lose their control characters."""

from flask import current_app, request
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, PasswordField, SelectChoice

from survey.core.text_safety import strip_control

# Passwords are compared, never shown or written anywhere; lists and nested forms take no
# filters (the fields of a nested OfficerSubform have their own).
UNFILTERED = (PasswordField, FieldList, FormField)


class StripControlMeta:
    """Binds every field with the strip_control filter first, so no form stores a control
    character: the rule of the public form (survey.responses.answer_rules) for every text an officer
    types."""

    def bind_field(self, form, unbound_field, options):
        if not issubclass(unbound_field.field_class, UNFILTERED):
            filters = unbound_field.kwargs.get("filters") or ()
            options = dict(options, filters=(strip_control, *filters))
        return super().bind_field(form, unbound_field, options)


class OfficerForm(FlaskForm):
    """The base of every form of the workspace: each text arrives without control characters."""

    class Meta(StripControlMeta):
        pass


class OfficerSubform(Form):
    """The base of a form nested in an OfficerForm (FormField rows): the same filter."""

    class Meta(StripControlMeta):
        pass


def choices_of(names):
    """A select's choices from {value: label}, in that order."""
    return [SelectChoice(value, label) for value, label in names.items()]


# Room for an upload form's other fields and the multipart boundaries around the file.
FORM_SLACK = 64 * 1024


def take_uploads(blueprint, endpoint, limit):
    """Let a POST to `endpoint` of `blueprint` carry a file of `limit` bytes (the name of the
    setting that holds it, or a function that says it): the site's MAX_CONTENT_LENGTH is for
    forms of text.
    URL preprocessors run before every before_request hook, so before the CSRF check reads
    the form."""

    @blueprint.url_value_preprocessor
    def larger_body_for_uploads(this_endpoint, _values):
        if this_endpoint == endpoint and request.method == "POST":
            size = current_app.config[limit] if isinstance(limit, str) else limit()
            request.max_content_length = size + FORM_SLACK
