"""The form a citizen or member fills: one WTForms field per question, show_if applied.

The server decides what counts: a question whose show_if condition is not met is neither
required nor stored, whatever the browser sent.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

FIELD_PREFIX = "q_"
DEFAULT_TEXT_LIMIT = 1000
LIKERT_WORDS = (
    _l("Very dissatisfied"),
    _l("Dissatisfied"),
    _l("Neutral"),
    _l("Satisfied"),
    _l("Very satisfied"),
)
NO_UNIT = "-"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SurveyForm(FlaskForm):
    """Fields every survey form has; the question fields are added per survey."""

    submission_uid = HiddenField()
    started = HiddenField()

    def shown_questions(self):
        """Codes of the questions shown for the answers given so far (show_if, in order)."""
        shown = set()
        for question in self.survey_questions:
            condition = question.show_if
            if condition is None:
                shown.add(question.code)
                continue
            target = condition["question"]
            if target in shown and _matches(self._raw(target), condition["in"]):
                shown.add(question.code)
        return shown

    def _raw(self, code):
        field = self[FIELD_PREFIX + code]
        return field.data

    def validate(self, extra_validators=None):
        """Validate the shown questions only; hidden ones lose their answers."""
        self._shown = self.shown_questions()
        valid = super().validate(extra_validators)
        for question in self.survey_questions:
            if question.code not in self._shown:
                field = self[FIELD_PREFIX + question.code]
                field.errors = []
        return valid or not any(f.errors for f in self)

    def answers(self):
        """The valid answers keyed by question code, without the hidden or empty ones."""
        shown = self.shown_questions()
        result = {}
        for question in self.survey_questions:
            if question.code not in shown:
                continue
            value = _clean(question, self[FIELD_PREFIX + question.code].data)
            if value is not None:
                result[question.code] = value
        return result


def _matches(value, accepted):
    if value is None or value == "" or value == []:
        return False
    values = value if isinstance(value, list) else [value]
    accepted_text = {str(v) for v in accepted}
    return any(str(v) in accepted_text for v in values)


def _clean(question, value):
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind in ("likert5", "nps", "yesno"):
        return int(value)
    if kind == "number":
        number = parse_number(value)
        return int(number) if number.is_integer() else number
    if kind == "multi":
        order = [o.code for o in question.options]
        return sorted(set(value), key=order.index)
    if kind == "text":
        return _CONTROL.sub("", value).strip() or None
    return value


def parse_number(text):
    """A number as people type it: '3', '3,5' or '3.5'.

    >>> parse_number(" 3,5 ")
    3.5
    """
    return float(str(text).strip().replace(",", "."))


class ShownAndAnswered:
    """First validator of every question: skip hidden ones, require the required ones."""

    def __init__(self, question):
        self.question = question

    def __call__(self, form, field):
        shown = getattr(form, "_shown", None)
        if shown is not None and self.question.code not in shown:
            field.errors[:] = []
            raise StopValidation()
        empty = field.data is None or field.data == "" or field.data == []
        if isinstance(field.data, str) and not field.data.strip():
            empty = True
        if empty:
            field.errors[:] = []
            if self.question.required:
                raise StopValidation(_l("Please answer this question."))
            raise StopValidation()


class ValidChoice:
    """The answer is one of the question's choices (the same message for a forged value)."""

    def __call__(self, form, field):
        allowed = {str(choice.value) for choice in field.choices}
        values = field.data if isinstance(field.data, list) else [field.data]
        if not values or any(str(v) not in allowed for v in values):
            raise StopValidation(_l("Please choose one of the answers shown."))


class NumberInRange:
    """A number within the question's bounds, written with a comma or a dot."""

    def __init__(self, question):
        self.low, self.high = question.min_value, question.max_value

    def __call__(self, form, field):
        try:
            number = parse_number(field.data)
        except ValueError:
            raise ValidationError(_l("Please write a number, for example 12.")) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(_l("Please write a number, for example 12."))
        if (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ValidationError(
                _l(
                    "Please write a number from %(low)s to %(high)s.",
                    low=plain_number(self.low),
                    high=plain_number(self.high),
                )
            )


class TextLength:
    def __init__(self, limit):
        self.limit = limit

    def __call__(self, form, field):
        if len(field.data) > self.limit:
            raise ValidationError(
                _l(
                    "Please shorten your answer to at most %(limit)d characters (now %(length)d).",
                    limit=self.limit,
                    length=len(field.data),
                )
            )


def plain_number(number):
    """A bound as people write it: 12.0 -> '12', 2.5 -> '2,5'."""
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number).replace(".", ",")


class MultiCheckboxField(SelectMultipleField):
    """Check boxes for a multi question."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def question_field(question, lang):
    """The WTForms field for one question, labelled in `lang`."""
    label = question.text.get(lang) or question.text["vi"]
    validators = [ShownAndAnswered(question)]
    kind = question.kind
    if kind == "likert5":
        choices = [SelectChoice(str(v), LIKERT_WORDS[v - 1]) for v in range(1, 6)]
        return RadioField(
            label, choices=choices, validators=[*validators, ValidChoice()], validate_choice=False
        )
    if kind == "nps":
        choices = [SelectChoice(str(v)) for v in range(11)]
        return RadioField(
            label, choices=choices, validators=[*validators, ValidChoice()], validate_choice=False
        )
    if kind == "yesno":
        choices = [SelectChoice("1", _l("Yes")), SelectChoice("0", _l("No"))]
        return RadioField(
            label, choices=choices, validators=[*validators, ValidChoice()], validate_choice=False
        )
    if kind in ("single", "multi"):
        choices = [
            SelectChoice(o.code, o.label.get(lang) or o.label["vi"]) for o in question.options
        ]
        field_class = RadioField if kind == "single" else MultiCheckboxField
        return field_class(
            label, choices=choices, validators=[*validators, ValidChoice()], validate_choice=False
        )
    if kind == "number":
        return StringField(label, validators=[*validators, NumberInRange(question)])
    if kind == "text":
        limit = question.max_length or DEFAULT_TEXT_LIMIT
        return TextAreaField(label, validators=[*validators, TextLength(limit)])
    raise ValueError(f"question kind {kind!r}")


def build_form(survey, lang, units=None, member=False, formdata=None):
    """A SurveyForm for `survey` in `lang`; with `units`, the person picks a village; for a
    member survey, the slip's code goes with the answers."""

    class Form(SurveyForm):
        pass

    Form.survey_questions = list(survey.questions)
    for question in survey.questions:
        setattr(Form, FIELD_PREFIX + question.code, question_field(question, lang))
    if units is not None:
        choices = [
            SelectChoice("", _l("Choose your village")),
            *(SelectChoice(u.code, u.name) for u in units),
            SelectChoice(NO_UNIT, _l("I prefer not to say")),
        ]
        Form.unit = SelectField(
            _l("Which village do you live in?"),
            choices=choices,
            validators=[_unit_chosen],
            validate_choice=False,
        )
    if member:
        Form.k = StringField(_l("Code on your slip"))
    kwargs = {} if formdata is None else {"formdata": formdata}
    return Form(**kwargs)


def _unit_chosen(form, field):
    allowed = {choice.value for choice in field.choices if choice.value}
    if field.data not in allowed:
        raise StopValidation(_l("Please choose your village."))
