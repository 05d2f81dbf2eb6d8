"""What counts as an answer: one set of rules for the web form, paper entry and CSV import.

Raw values are what arrived (text, or a list of texts for a multi question); canonical values
are what is stored: int for likert5/nps/yesno, int or float for number, an option code for
single, a list of option codes for multi, text for text. The server decides what counts:
questions hidden by show_if are dropped whatever was sent.
"""

import math
import re

from flask_babel import lazy_gettext as _l

from survey.core.text_safety import strip_control

DEFAULT_TEXT_LIMIT = 1000
# A form's body is at most 1 MiB (MAX_CONTENT_LENGTH): no answer can be longer than this.
LONGEST_TEXT_LIMIT = 1_000_000
FIXED_RANGES = {"likert5": (1, 5), "nps": (0, 10), "yesno": (0, 1)}

REQUIRED = _l("Please answer this question.")
NOT_A_CHOICE = _l("Please choose one of the answers shown.")
NOT_A_NUMBER = _l("Please write a number, for example 12.")


class AnswerError(ValueError):
    """A value that is not an answer to its question; the message says what to do."""


def parse_number(text):
    """A number as people type it: '3', '3,5' or '3.5'.

    >>> parse_number(" 3,5 ")
    3.5
    """
    return float(str(text).strip().replace(",", "."))


def plain_number(number):
    """A bound as people write it: 12.0 -> '12', 2.5 -> '2,5'."""
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number).replace(".", ",")


def small_whole_number(text):
    """`text` as a number when it is 1 to 6 ASCII digits, else None.

    Not str.isdigit(): it takes "²", which int() then refuses.

    >>> [small_whole_number(t) for t in ("12", "007", "²", "1.5", "1234567", " 1", "")]
    [12, 7, None, None, None, None, None]
    """
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) else None


def is_empty(raw):
    """True when nothing was given."""
    if raw is None:
        return True
    if isinstance(raw, list | tuple):
        return all(is_empty(item) for item in raw)
    return str(raw).strip() == ""


def coerce(question, raw):
    """The canonical value of `raw` for `question`, None when empty; AnswerError if invalid."""
    if is_empty(raw):
        return None
    kind = question.kind
    if kind in FIXED_RANGES:
        low, high = FIXED_RANGES[kind]
        text = str(raw).strip()
        if not re.fullmatch(r"\d{1,2}", text) or not low <= int(text) <= high:
            raise AnswerError(NOT_A_CHOICE)
        return int(text)
    if kind == "single":
        code = str(raw).strip()
        if code not in {o.code for o in question.options}:
            raise AnswerError(NOT_A_CHOICE)
        return code
    if kind == "multi":
        codes = [str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw])]
        codes = [c for c in codes if c]
        order = [o.code for o in question.options]
        if any(c not in order for c in codes):
            raise AnswerError(NOT_A_CHOICE)
        return sorted(set(codes), key=order.index)
    if kind == "number":
        return _number(question, raw)
    if kind == "text":
        text = strip_control(str(raw)).strip()
        limit = question.max_length or DEFAULT_TEXT_LIMIT
        if len(text) > limit:
            raise AnswerError(
                _l(
                    "Please shorten your answer to at most %(limit)d characters (now %(length)d).",
                    limit=limit,
                    length=len(text),
                )
            )
        return text or None
    raise AnswerError(f"question kind {kind!r}")


def _number(question, raw):
    try:
        number = parse_number(raw)
    except ValueError:
        raise AnswerError(NOT_A_NUMBER) from None
    if not math.isfinite(number):
        raise AnswerError(NOT_A_NUMBER)
    low, high = question.min_value, question.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerError(
            _l(
                "Please write a number from %(low)s to %(high)s.",
                low=plain_number(low),
                high=plain_number(high),
            )
        )
    return int(number) if number.is_integer() else number


def shown_codes(questions, answers):
    """Codes of the questions shown, given canonical `answers` (show_if, in order)."""
    shown = set()
    for question in questions:
        condition = question.show_if
        if condition is None:
            shown.add(question.code)
            continue
        target = condition["question"]
        value = answers.get(target)
        values = value if isinstance(value, list) else [value]
        accepted = {str(v) for v in condition["in"]}
        if target in shown and any(v is not None and str(v) in accepted for v in values):
            shown.add(question.code)
    return shown


def check_answers(questions, raw_answers):
    """Apply the rules to raw answers keyed by question code.

    Returns (answers, errors): the canonical answers of the shown questions, and a message
    per question code that is wrong or missing. Unknown codes are ignored.
    """
    coerced, errors = {}, {}
    for question in questions:
        try:
            value = coerce(question, raw_answers.get(question.code))
        except AnswerError as error:
            errors[question.code] = error.args[0]
            continue
        if value is not None:
            coerced[question.code] = value
    shown = shown_codes(questions, coerced)
    answers = {code: value for code, value in coerced.items() if code in shown}
    errors = {code: message for code, message in errors.items() if code in shown}
    for question in questions:
        if question.required and question.code in shown and question.code not in answers:
            errors.setdefault(question.code, REQUIRED)
    return answers, errors
