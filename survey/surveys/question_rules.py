"""The rules a survey question keeps, once, for every way a question comes in.

`flask survey load` (survey.surveys.definitions) and the builder's question form
(survey.surveys.questions) both check a question here. A broken rule raises Problem, which
names the field (a path inside the question: "code", "options[1].label.vi", "show_if.in"), the
rule (a Rule) and the values a message may quote; each caller words it for its own reader: the
command line in English with the JSON path, the builder in Vietnamese beside the form field.

A question is a dict as a definition holds it: code, kind, text, help, required, criterion,
organization (a code), show_if ({"question", "in"}), feedback, min_value, max_value,
max_length and options ([{code, label, value}]).
"""

import re
from enum import StrEnum
from typing import NamedTuple

from survey.models import QUESTION_KINDS
from survey.responses.answer_rules import FIXED_RANGES, LONGEST_TEXT_LIMIT

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
# Question, option and criterion codes are shorter than a survey's (64): they head columns.
QUESTION_CODE_LENGTH = 32
CHOICE_KINDS = ("single", "multi")
# Bounds and option values: no question needs larger numbers (nor can the database hold them).
LARGEST_NUMBER = 1e15


class Rule(StrEnum):
    """The rules a question may break."""

    QUESTION_SHAPE = "question_shape"  # not an object
    CODE_FORM = "code_form"
    CODE_TAKEN = "code_taken"
    KIND_UNKNOWN = "kind_unknown"
    TEXTS_SHAPE = "texts_shape"  # not an object of texts per language
    TEXT_LANGUAGE = "text_language"  # a language the survey is not in
    VIETNAMESE_MISSING = "vietnamese_missing"
    CRITERION_FORM = "criterion_form"
    ORGANIZATION_FORM = "organization_form"
    OPTIONS_TOO_FEW = "options_too_few"
    OPTIONS_NOT_ALLOWED = "options_not_allowed"
    OPTION_CODE_FORM = "option_code_form"
    OPTION_CODE_TAKEN = "option_code_taken"
    OPTION_VALUE_NUMBER = "option_value_number"
    BOUNDS_NUMBER_ONLY = "bounds_number_only"
    BOUND_NUMBER = "bound_number"  # not a plain number of at most LARGEST_NUMBER
    BOUNDS_REVERSED = "bounds_reversed"
    MAX_LENGTH_TEXT_ONLY = "max_length_text_only"
    MAX_LENGTH_RANGE = "max_length_range"  # not a whole number from 1 to LONGEST_TEXT_LIMIT
    FEEDBACK_TEXT_ONLY = "feedback_text_only"
    CONDITION_SHAPE = "condition_shape"
    CONDITION_NOT_EARLIER = "condition_not_earlier"
    CONDITION_KIND = "condition_kind"  # the question named has no fixed answers
    CONDITION_NO_ANSWERS = "condition_no_answers"
    CONDITION_NOT_AN_ANSWER = "condition_not_an_answer"


class Problem(ValueError):
    """A broken rule: `field` (a path inside the question; "" for the question itself),
    `rule` (a Rule) and `values` (what a message may quote, by name)."""

    def __init__(self, field, rule, **values):
        super().__init__(f"{field or 'question'}: {rule}")
        self.field = field
        self.rule = rule
        self.values = values


def check_question(question, *, languages, earlier, other_codes):
    """Raise Problem for the first rule `question` breaks.

    `languages` are the survey's; `earlier` maps the code of each question before this one to
    its Target (target_of); `other_codes` are the codes of the survey's other questions.
    """
    if not isinstance(question, dict):
        raise Problem("", Rule.QUESTION_SHAPE)
    code = question.get("code")
    if not is_code(code, QUESTION_CODE_LENGTH):
        raise Problem("code", Rule.CODE_FORM, code=code)
    if code in other_codes:
        raise Problem("code", Rule.CODE_TAKEN, code=code)
    kind = question.get("kind")
    if kind not in QUESTION_KINDS:
        raise Problem("kind", Rule.KIND_UNKNOWN, kind=kind, allowed=", ".join(QUESTION_KINDS))
    check_texts("text", question.get("text"), languages)
    if "help" in question:
        check_texts("help", question["help"], languages, required=False)
    criterion = question.get("criterion")
    if criterion is not None and not is_code(criterion, QUESTION_CODE_LENGTH):
        raise Problem("criterion", Rule.CRITERION_FORM, criterion=criterion)
    organization = question.get("organization")
    if organization is not None and not is_code(organization):
        raise Problem("organization", Rule.ORGANIZATION_FORM, organization=organization)
    _check_options(kind, question.get("options") or [], languages)  # null stands for none
    _check_bounds(kind, question)
    _check_max_length(kind, question.get("max_length"))
    if question.get("feedback") and kind != "text":
        raise Problem("feedback", Rule.FEEDBACK_TEXT_ONLY, kind=kind)
    if question.get("show_if") is not None:
        check_condition(question["show_if"], earlier)


def check_texts(field, texts, languages, required=True, **values):
    """Raise Problem unless `texts` is an object of texts in `languages`, with a Vietnamese
    one when `required`; `values` go into the Problem (an option's code, for its label)."""
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise Problem(field, Rule.TEXTS_SHAPE, **values)
    unknown = set(texts) - set(languages)
    if unknown:
        raise Problem(field, Rule.TEXT_LANGUAGE, language=sorted(unknown)[0], **values)
    if required and not texts.get("vi", "").strip():
        raise Problem(f"{field}.vi", Rule.VIETNAMESE_MISSING, **values)


def _check_options(kind, options, languages):
    if kind not in CHOICE_KINDS:
        if options:
            raise Problem("options", Rule.OPTIONS_NOT_ALLOWED, kind=kind)
        return
    if not isinstance(options, list) or len(options) < 2:
        raise Problem("options", Rule.OPTIONS_TOO_FEW, kind=kind)
    codes = set()
    for index, option in enumerate(options):
        where = f"options[{index}]"
        code = option.get("code") if isinstance(option, dict) else None
        if not is_code(code, QUESTION_CODE_LENGTH):
            raise Problem(f"{where}.code", Rule.OPTION_CODE_FORM, code=code)
        if code in codes:
            raise Problem(f"{where}.code", Rule.OPTION_CODE_TAKEN, code=code)
        codes.add(code)
        check_texts(f"{where}.label", option.get("label"), languages, code=code)
        value = option.get("value")
        if value is not None and not plain_number(value):
            raise Problem(
                f"{where}.value",
                Rule.OPTION_VALUE_NUMBER,
                code=code,
                value=value,
                largest=LARGEST_NUMBER,
            )


def _check_bounds(kind, question):
    for bound in ("min_value", "max_value"):
        value = question.get(bound)
        if value is None:
            continue
        if kind != "number":
            raise Problem(bound, Rule.BOUNDS_NUMBER_ONLY, kind=kind, largest=LARGEST_NUMBER)
        if not plain_number(value):
            raise Problem(bound, Rule.BOUND_NUMBER, value=value, largest=LARGEST_NUMBER)
    low, high = question.get("min_value"), question.get("max_value")
    if low is not None and high is not None and low > high:
        raise Problem("max_value", Rule.BOUNDS_REVERSED, low=low, high=high)


def _check_max_length(kind, max_length):
    if max_length is None:
        return
    if kind != "text":
        raise Problem("max_length", Rule.MAX_LENGTH_TEXT_ONLY, kind=kind, limit=LONGEST_TEXT_LIMIT)
    if (
        not isinstance(max_length, int)
        or isinstance(max_length, bool)
        or not 1 <= max_length <= LONGEST_TEXT_LIMIT
    ):
        raise Problem(
            "max_length", Rule.MAX_LENGTH_RANGE, max_length=max_length, limit=LONGEST_TEXT_LIMIT
        )


def check_condition(condition, earlier):
    """Raise Problem unless `condition` ({"question": CODE, "in": [...]}) names a question of
    `earlier` (code -> its Target) and some of that question's answers."""
    if (
        not isinstance(condition, dict)
        or set(condition) != {"question", "in"}
        or not isinstance(condition["question"], str)
    ):
        raise Problem("show_if", Rule.CONDITION_SHAPE)
    code = condition["question"]
    if code not in earlier:
        raise Problem("show_if.question", Rule.CONDITION_NOT_EARLIER, question=code)
    target = earlier[code]
    if target.answers is None:
        raise Problem("show_if.question", Rule.CONDITION_KIND, question=code, kind=target.kind)
    values = condition["in"]
    if not isinstance(values, list) or not values:
        raise Problem("show_if.in", Rule.CONDITION_NO_ANSWERS, question=code)
    for value in values:
        if not is_answer(value, target.answers):
            raise Problem("show_if.in", Rule.CONDITION_NOT_AN_ANSWER, value=value, question=code)


class Target(NamedTuple):
    """What a condition may name of a question: its kind and its answers, which are a choice
    question's option codes (a frozenset), the whole numbers of a fixed scale (a range), or
    None for a question without fixed answers (number, text)."""

    kind: str
    answers: frozenset | range | None


def target_of(kind, option_codes=()):
    """The Target of a question of `kind` with options `option_codes`."""
    if kind in CHOICE_KINDS:
        return Target(kind, frozenset(option_codes))
    if kind in FIXED_RANGES:
        low, high = FIXED_RANGES[kind]
        return Target(kind, range(low, high + 1))
    return Target(kind, None)


def is_answer(value, answers):
    """Whether `value` is one of a Target's `answers`: an option code is text, a point of a
    scale a whole number (True is not 1)."""
    if isinstance(answers, range):
        return isinstance(value, int) and not isinstance(value, bool) and value in answers
    return isinstance(value, str) and value in answers


def is_code(value, longest=64):
    """Whether `value` is a code: lowercase letters, digits, - and _, at most `longest`."""
    return (
        isinstance(value, str) and CODE_PATTERN.match(value) is not None and len(value) <= longest
    )


def plain_number(value):
    """Whether `value` is a finite number (not a boolean) of at most LARGEST_NUMBER."""
    # NaN and the infinities fail the comparison too.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) <= LARGEST_NUMBER
    )
