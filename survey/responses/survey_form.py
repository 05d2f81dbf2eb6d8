"""The form a citizen or member fills: one WTForms field per question.

Fields only carry what was sent; survey.responses.answer_rules decides what counts (show_if,
required, ranges), the same rules as for paper forms and imports.
"""

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
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from survey.core.bounded_cache import LRUCache
from survey.responses.answer_rules import check_answers

FIELD_PREFIX = "q_"
LIKERT_WORDS = (
    _l("Very dissatisfied"),
    _l("Dissatisfied"),
    _l("Neutral"),
    _l("Satisfied"),
    _l("Very satisfied"),
)
NO_UNIT = "-"


def answer_choices(target, lang="vi"):
    """(value, the words the form shows for it) of each answer of a scale, yes/no or choice
    question; none for the others."""
    if target.kind == "likert5":
        return [(n, str(LIKERT_WORDS[n - 1])) for n in range(1, 6)]
    if target.kind == "yesno":
        return [(1, str(_l("Yes"))), (0, str(_l("No")))]
    return [(o.code, o.label.get(lang) or o.label["vi"]) for o in target.options]


def answer_words(value, target, lang="vi"):
    """How an answer reads in the form ("Không hài lòng", "Có", an option's label)."""
    for answer, words in answer_choices(target, lang):
        if str(answer) == str(value):
            return words
    return str(value)


class SurveyForm(FlaskForm):
    """Fields every survey form has; the question fields are added per survey."""

    submission_uid = HiddenField()
    started = HiddenField()

    def raw_answers(self):
        """What was sent, keyed by question code."""
        return {q.code: self[FIELD_PREFIX + q.code].data for q in self.survey_questions}

    def validate(self, extra_validators=None):
        """Validate the fixed fields, then the answers by the shared rules."""
        valid = super().validate(extra_validators)
        self._answers, errors = check_answers(self.survey_questions, self.raw_answers())
        for code, message in errors.items():
            self[FIELD_PREFIX + code].errors = [message]
        return valid and not errors

    def answers(self):
        """The canonical answers of the shown questions (after validate)."""
        return self._answers


class MultiCheckboxField(SelectMultipleField):
    """Check boxes for a multi question."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def question_field(question, lang):
    """The WTForms field for one question, labelled in `lang`."""
    label = question.text.get(lang) or question.text["vi"]
    kind = question.kind
    if kind == "likert5":
        choices = [SelectChoice(str(v), LIKERT_WORDS[v - 1]) for v in range(1, 6)]
    elif kind == "nps":
        choices = [SelectChoice(str(v)) for v in range(11)]
    elif kind == "yesno":
        choices = [SelectChoice("1", _l("Yes")), SelectChoice("0", _l("No"))]
    elif kind in ("single", "multi"):
        choices = [
            SelectChoice(o.code, o.label.get(lang) or o.label["vi"]) for o in question.options
        ]
    elif kind == "number":
        return StringField(label)
    elif kind == "text":
        return TextAreaField(label)
    else:
        raise ValueError(f"question kind {kind!r}")
    field_class = MultiCheckboxField if kind == "multi" else RadioField
    return field_class(label, choices=choices, validate_choice=False)


# Form classes by survey version, language and village list: declaring some twenty fields
# costs more than the rest of a request, and they only change with the survey. Bounded: the
# least recently used go.
_FORM_CLASSES = LRUCache(128)


def build_form(survey, lang, units=None, member=False, formdata=None):
    """A SurveyForm for `survey` in `lang`; with `units`, the person picks a village; for a
    member survey, the slip's code goes with the answers."""
    unit_key = None if units is None else tuple((u.code, u.name) for u in units)
    key = (survey.code, survey.updated_at, lang, unit_key, member)
    form_class = _FORM_CLASSES.get(key)
    if form_class is None:
        # An earlier version of this survey is never asked for again.
        _FORM_CLASSES.discard_where(lambda k: k[0] == survey.code and k[1] != survey.updated_at)
        form_class = _FORM_CLASSES[key] = _form_class(survey, lang, units, member)
    kwargs = {} if formdata is None else {"formdata": formdata}
    return form_class(**kwargs)


def _form_class(survey, lang, units, member):
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
    return Form


def _unit_chosen(form, field):
    allowed = {choice.value for choice in field.choices if choice.value}
    if field.data not in allowed:
        raise StopValidation(_l("Please choose your village."))
