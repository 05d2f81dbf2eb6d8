"""The builder's forms: a survey's fields, a new survey, a question with its options, dates.

Fields only parse what was typed (numbers with a decimal comma, lists of answers);
the builder (survey.surveys.survey_fields, questions, survey_life) decides what is allowed
and says why.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from slugify import slugify
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from analytics import criterion_codes, criterion_label
from survey.core.forms import OfficerForm, OfficerSubform, choices_of
from survey.core.languages import content_languages, switch_label
from survey.models.vocabulary import (
    AUDIENCE_NAMES,
    KIND_NAMES,
    LANGUAGE_NAMES,
    LANGUAGES,
    TOPIC_NAMES,
)
from survey.responses.answer_rules import FIXED_RANGES
from survey.responses.survey_form import answer_choices, answer_words
from survey.surveys.survey_life import parse_local_time

START_NAMES = {
    "blank": _l("A blank survey"),
    "satisfaction": _l("Template: satisfaction of the people"),
    "participation": _l("Template: members taking part in activities"),
    "supervision": _l("Template: social supervision and criticism"),
    "copy": _l("A copy of an earlier survey (the same questions, so years compare)"),
}
BLANK_OPTION_ROWS = 3


# Each text of a survey has one field per language it may be written in ("title_vi",
# "text_bdq", ...); a page shows those of the survey's languages. Vietnamese and English keep
# their own labels; the villages' languages are named in brackets ("Câu hỏi (Tiếng Ba Na)").
FIELD_LABELS = {
    "title": (
        _l("Title in Vietnamese"),
        _l("Title in English"),
        lambda language: _l("Title (%(language)s)", language=language),
    ),
    "description": (
        _l("Introduction in Vietnamese"),
        _l("Introduction in English"),
        lambda language: _l("Introduction (%(language)s)", language=language),
    ),
    "text": (
        _l("Question in Vietnamese"),
        _l("Question in English"),
        lambda language: _l("Question (%(language)s)", language=language),
    ),
    "help": (
        _l("Help in Vietnamese"),
        _l("Help in English"),
        lambda language: _l("Help (%(language)s)", language=language),
    ),
    "label": (
        _l("Label in Vietnamese"),
        _l("Label in English"),
        lambda language: _l("Label (%(language)s)", language=language),
    ),
}


def _add_language_fields(form_class, field_class, name):
    """Give `form_class` a `name_LANG` field for every language of the vocabulary."""
    vietnamese, english, other = FIELD_LABELS[name]
    for lang in LANGUAGES:
        label = {"vi": vietnamese, "en": english}.get(lang)
        if label is None:
            label = other(LANGUAGE_NAMES[lang])
        setattr(form_class, f"{name}_{lang}", field_class(label))


def _language_choices():
    """The languages this deployment offers (SURVEY_LANGUAGES), each by its own name and the
    reader's name for it."""
    return [(code, switch_label(code)) for code in content_languages()]


class MultiCheckboxField(SelectMultipleField):
    """Check boxes for a choice of several values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def parse_number(text):
    """'2,5' or '2.5' -> 2.5, '3' -> 3, '' -> None; ValueError for anything else."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return int(value) if value.is_integer() else value


def _a_number(form, field):
    try:
        parse_number(field.data)
    except ValueError:
        raise ValidationError(_l("Write a number, e.g. 5 or 2,5.")) from None


def _a_whole_number(form, field):
    try:
        value = parse_number(field.data)
    except ValueError:
        value = 0.5
    if value is not None and not isinstance(value, int):
        raise ValidationError(_l("Write a whole number, e.g. 200.")) from None


def _a_local_time(form, field):
    try:
        parse_local_time(field.data)
    except ValueError:
        raise ValidationError(
            _l("Write the day as day/month/year, with the time if needed, e.g. 01/03/2026 07:00.")
        ) from None


class SurveyFieldsForm(OfficerForm):
    """A survey's own fields: code, texts per language, audience, topic, year, paper entry."""

    code = StringField(_l("Code (in the address /s/...)"))
    languages = MultiCheckboxField(
        _l("Languages of the survey"), choices=_language_choices, default=["vi"]
    )
    audience = SelectField(_l("Who answers"), choices=choices_of(AUDIENCE_NAMES))
    topic = SelectField(_l("Topic"), choices=choices_of(TOPIC_NAMES))
    year = StringField(_l("Year"), validators=[_a_whole_number])
    double_entry = BooleanField(_l("Paper forms are typed twice by two people"))

    def survey_fields(self):
        """The typed values as survey_fields.create_survey and update_survey take them."""
        languages = [lang for lang in LANGUAGES if lang in (self.languages.data or [])]
        if "vi" not in languages:
            languages.insert(0, "vi")
        year = parse_number(self.year.data)
        return {
            "code": (self.code.data or "").strip(),
            "title": {lang: getattr(self, f"title_{lang}").data or "" for lang in LANGUAGES},
            "description": {
                lang: getattr(self, f"description_{lang}").data or "" for lang in LANGUAGES
            },
            "languages": languages,
            "audience": self.audience.data,
            "topic": self.topic.data,
            "year": year if isinstance(year, int) else None,
            "double_entry": bool(self.double_entry.data),
        }

    def fill_from(self, survey):
        """Show a survey's current values."""
        self.code.data = survey.code
        for lang in LANGUAGES:
            getattr(self, f"title_{lang}").data = (survey.title or {}).get(lang, "")
            getattr(self, f"description_{lang}").data = (survey.description or {}).get(lang, "")
        self.languages.data = list(survey.languages)
        self.audience.data = survey.audience
        self.topic.data = survey.topic
        self.year.data = str(survey.year)
        self.double_entry.data = survey.double_entry


_add_language_fields(SurveyFieldsForm, StringField, "title")
_add_language_fields(SurveyFieldsForm, TextAreaField, "description")


class NewSurveyForm(SurveyFieldsForm):
    """A new survey: how it starts (blank, a template, a copy) and whom it evaluates."""

    start = RadioField(_l("Start from"), choices=choices_of(START_NAMES), default="blank")
    source = SelectField(_l("Survey to copy"), choices=[], validate_choice=False)
    organizations = MultiCheckboxField(
        _l("Organizations this survey evaluates"), choices=[], validate_choice=False
    )


AS_IN_FILE = _l("As the file says")


class XLSFormUploadForm(OfficerForm):
    """An XLSForm workbook to start a survey from, and the fields the workbook may not say."""

    file = FileField(_l("XLSForm file (.xlsx)"))
    year = StringField(_l("Year"), validators=[_a_whole_number])
    audience = SelectField(
        _l("Who answers"), choices=[SelectChoice("", AS_IN_FILE), *choices_of(AUDIENCE_NAMES)]
    )
    topic = SelectField(
        _l("Topic"), choices=[SelectChoice("", AS_IN_FILE), *choices_of(TOPIC_NAMES)]
    )
    organizations = MultiCheckboxField(
        _l("Organizations this survey evaluates"), choices=[], validate_choice=False
    )
    code = StringField(_l("Code (in the address /s/...)"))
    strict = BooleanField(_l("Refuse the whole file if any row cannot be imported as written"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose the XLSForm file (.xlsx)."))


class OptionRowForm(OfficerSubform):
    """One option of a choice question: code, label per language, value, order."""

    code = StringField(_l("Code"))
    value = StringField(_l("Value"), validators=[_a_number])
    order = StringField(_l("Order"), validators=[_a_number])

    def is_blank(self):
        """Nothing typed in the row (a spare row left empty)."""
        return not any(
            (getattr(self, name).data or "").strip()
            for name in ("code", "value", *(f"label_{lang}" for lang in LANGUAGES))
        )


_add_language_fields(OptionRowForm, StringField, "label")


class QuestionForm(OfficerForm):
    """One question: its code, kind, texts per language, tags, condition, bounds, options."""

    code = StringField(_l("Question code"))
    kind = SelectField(_l("Kind of question"), choices=choices_of(KIND_NAMES))
    required = BooleanField(_l("An answer is required"))
    criterion = SelectField(_l("Criterion it counts toward"), choices=[], validate_choice=False)
    organization = SelectField(_l("Organization the question is about"), choices=[])
    show_if_question = SelectField(_l("Show only when question"), choices=[])
    show_if_values = StringField(_l("has one of these answers (separated by commas)"))
    # The codes of the question and its options, typed only under "Nâng cao" (else made).
    feedback = BooleanField(_l("The answers are feedback to forward and answer"))
    min_value = StringField(_l("Smallest value"), validators=[_a_number])
    max_value = StringField(_l("Largest value"), validators=[_a_number])
    max_length = StringField(_l("Longest answer (characters)"), validators=[_a_whole_number])
    options = FieldList(FormField(OptionRowForm))

    def set_choices(self, organizations, earlier_questions, lang="vi", current_criterion=None):
        """Offer the criteria, the organizations and the earlier questions a condition may
        name, each by its name."""
        self.earlier = list(earlier_questions)
        self.criterion.choices = [SelectChoice("", _l("(none: not scored)"))] + [
            SelectChoice(code, criterion_label(code, lang)) for code in criterion_codes()
        ]
        if current_criterion and current_criterion not in criterion_codes():
            # a criterion of the commune's own rule set: it has no name but its code
            self.criterion.choices.append(SelectChoice(current_criterion, current_criterion))
        self.organization.choices = [SelectChoice("", _l("(none)"))] + [
            SelectChoice(o.code, o.short_name or o.name) for o in organizations
        ]
        self.show_if_question.choices = [SelectChoice("", _l("(always shown)"))] + [
            SelectChoice(q.code, f"{n}. {q.text.get('vi', '')[:60]}")
            for n, q in enumerate(earlier_questions, start=1)
        ]

    def fill_from(self, question):
        """Show a question's current values, with spare rows for new options."""
        self.code.data = question.code
        self.kind.data = question.kind
        for lang in LANGUAGES:
            getattr(self, f"text_{lang}").data = question.text.get(lang, "")
            getattr(self, f"help_{lang}").data = (question.help or {}).get(lang, "")
        self.required.data = question.required
        self.criterion.data = question.criterion or ""
        self.organization.data = question.organization.code if question.organization else ""
        condition = question.show_if or {}
        self.show_if_question.data = condition.get("question", "")
        target = next(
            (q for q in getattr(self, "earlier", []) if q.code == condition.get("question")), None
        )
        self.show_if_values.data = ", ".join(
            str(v) if target is None else answer_words(v, target) for v in condition.get("in", [])
        )
        self.feedback.data = question.feedback
        self.min_value.data = _plain(question.min_value)
        self.max_value.data = _plain(question.max_value)
        self.max_length.data = _plain(question.max_length)
        for position, option in enumerate(question.options, start=1):
            self.options.append_entry(
                {
                    "code": option.code,
                    **{f"label_{lang}": option.label.get(lang, "") for lang in LANGUAGES},
                    "value": _plain(option.value),
                    "order": str(position),
                }
            )
        self.add_spare_rows()

    def add_spare_rows(self):
        """Empty option rows to type new options into."""
        start = len(self.options.entries) + 1
        for n in range(BLANK_OPTION_ROWS):
            self.options.append_entry({"order": str(start + n)})

    def question_data(self, survey):
        """The typed values as questions.save_question takes them."""
        kind = self.kind.data
        rows = [
            (index, row.form)
            for index, row in enumerate(self.options.entries)
            if not row.form.is_blank()
        ]
        rows.sort(key=lambda item: (_order(item[1].order.data, item[0]), item[0]))
        options = [
            {
                "code": row.code.data or "",
                "label": {lang: getattr(row, f"label_{lang}").data or "" for lang in LANGUAGES},
                "value": parse_number(row.value.data),
            }
            for _index, row in rows
        ]
        return {
            "code": self.code.data or "",
            "kind": kind,
            "text": {lang: getattr(self, f"text_{lang}").data or "" for lang in LANGUAGES},
            "help": {lang: getattr(self, f"help_{lang}").data or "" for lang in LANGUAGES},
            "required": bool(self.required.data),
            "criterion": self.criterion.data or "",
            "organization": self.organization.data or None,
            "show_if": self._condition(survey),
            "feedback": bool(self.feedback.data),
            "min_value": _float(parse_number(self.min_value.data)),
            "max_value": _float(parse_number(self.max_value.data)),
            "max_length": parse_number(self.max_length.data),
            "options": options,
        }

    def _condition(self, survey):
        target_code = self.show_if_question.data or ""
        if not target_code:
            return None
        target = next((q for q in survey.questions if q.code == target_code), None)
        typed = [v.strip() for v in re.split(r"[,;\n]+", self.show_if_values.data or "")]
        values = [answer_value(target, v) for v in typed if v]
        return {"question": target_code, "in": values}


_add_language_fields(QuestionForm, TextAreaField, "text")
_add_language_fields(QuestionForm, StringField, "help")


def _folded(text):
    """Text compared as an officer types it: no case, accents or punctuation ("Có" = "co")."""
    return slugify(str(text))


def answer_value(target, typed):
    """The answer an officer named by its words (or its number or code); unknown words stay
    as typed, for the builder to refuse with a reason."""
    if target is None:
        return typed
    if target.kind in FIXED_RANGES and re.fullmatch(r"-?\d+", typed):
        return int(typed)
    wanted = _folded(typed)
    for answer, words in answer_choices(target):
        if wanted in (_folded(words), _folded(answer)):
            return answer
    return typed


class ScheduleForm(OfficerForm):
    """When the survey takes answers, in the commune's local time."""

    opens_at = StringField(_l("Opens at"), validators=[_a_local_time])
    closes_at = StringField(_l("Closes at"), validators=[_a_local_time])


class CloneForm(OfficerForm):
    """The code of a new version."""

    code = StringField(_l("Code of the new version"))


def _order(text, index):
    try:
        value = parse_number(text)
    except ValueError:
        value = None
    return value if value is not None else index + 1


def _float(value):
    return None if value is None else float(value)


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")
