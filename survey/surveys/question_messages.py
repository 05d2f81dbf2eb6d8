"""The builder's words for a broken question rule (survey.surveys.question_rules): a sentence
for the officer, in their language, and the form field it is shown beside.

Rules the question form cannot break (it always sends texts per language and a well-formed
condition) keep the command line's precise words behind "The survey cannot be saved".
"""

import re

from flask_babel import format_number
from flask_babel import gettext as _

from survey.surveys.changes import BuilderError
from survey.surveys.definitions import worded
from survey.surveys.question_rules import Rule

# rule -> (the message, given the problem's values; the form field it is shown beside, or None
# for the problem's own field)
MESSAGES = {
    Rule.CODE_FORM: (
        lambda values: _(
            "The question code may use only lowercase letters without accents, digits, - "
            "and _ (at most 32), e.g. hl_chamlo."
        ),
        "code",
    ),
    Rule.CODE_TAKEN: (lambda values: _("Another question of this survey has this code."), "code"),
    Rule.KIND_UNKNOWN: (lambda values: _("Choose the kind of question."), "kind"),
    Rule.CRITERION_FORM: (
        lambda values: _("Choose a criterion from the list."),
        "criterion",
    ),
    Rule.ORGANIZATION_FORM: (
        lambda values: _("Choose an organization from the list."),
        "organization",
    ),
    Rule.OPTIONS_NOT_ALLOWED: (
        lambda values: _("Only a single-choice or multiple-choice question has options."),
        "options",
    ),
    Rule.OPTIONS_TOO_FEW: (
        lambda values: _("A choice question needs at least two options."),
        "options",
    ),
    Rule.OPTION_CODE_FORM: (
        lambda values: _(
            "Each option needs a code of lowercase letters without accents, digits, - "
            "or _ (at most 32), e.g. a, b, co_hop."
        ),
        "options",
    ),
    Rule.OPTION_CODE_TAKEN: (
        lambda values: _("Two options have the code %(code)s.", code=values["code"]),
        "options",
    ),
    Rule.OPTION_VALUE_NUMBER: (
        lambda values: _(
            "The value of option %(n)s must be a number no larger than %(largest)s.",
            n=values["row"],
            largest=format_number(int(values["largest"])),
        ),
        "options",
    ),
    Rule.BOUNDS_NUMBER_ONLY: (
        lambda values: _("Only a number question has a smallest and largest value."),
        "min_value",
    ),
    Rule.BOUND_NUMBER: (
        lambda values: _(
            "The smallest and largest values must be numbers no larger than %(largest)s.",
            largest=format_number(int(values["largest"])),
        ),
        None,  # the bound's own field
    ),
    Rule.BOUNDS_REVERSED: (
        lambda values: _("The smallest value must not be above the largest."),
        "max_value",
    ),
    Rule.MAX_LENGTH_TEXT_ONLY: (
        lambda values: _("Only a text question has a length limit."),
        "max_length",
    ),
    Rule.MAX_LENGTH_RANGE: (
        lambda values: _(
            "The length limit must be from 1 to %(limit)s characters.", limit=values["limit"]
        ),
        "max_length",
    ),
    Rule.FEEDBACK_TEXT_ONLY: (
        lambda values: _("Only a text question can collect feedback."),
        "feedback",
    ),
    Rule.CONDITION_NOT_EARLIER: (
        lambda values: _("A question can only depend on an earlier question."),
        "show_if",
    ),
    Rule.CONDITION_KIND: (
        lambda values: _("A question can depend only on a choice, scale, yes/no or 0-10 question."),
        "show_if",
    ),
    Rule.CONDITION_NO_ANSWERS: (
        lambda values: _("Name the answers that show this question."),
        "show_if",
    ),
    Rule.CONDITION_NOT_AN_ANSWER: (
        lambda values: _(
            "“%(value)s” is not one of the answers of the question it depends on.",
            value=values["value"],
        ),
        "show_if",
    ),
}


def refusal(problem):
    """The BuilderError that tells an officer about `problem` (a question_rules.Problem)."""
    if problem.rule == Rule.VIETNAMESE_MISSING:
        return _vietnamese_missing(problem)
    if problem.rule in MESSAGES:
        message, field = MESSAGES[problem.rule]
        values = {**problem.values, "row": _row(problem)}
        return BuilderError(message(values), field or problem.field)
    return BuilderError(_("The survey cannot be saved: %(detail)s", detail=worded(problem)))


def _vietnamese_missing(problem):
    if problem.field == "text.vi":
        return BuilderError(_("Write the question in Vietnamese."), "text_vi")
    if problem.field.startswith("options["):
        return BuilderError(
            _("Write the label of option %(n)s in Vietnamese.", n=_row(problem)),
            "options",
        )
    return BuilderError(_("The survey cannot be saved: %(detail)s", detail=worded(problem)))


def _row(problem):
    """The option row a problem is about, counted from 1 as the form shows them ("" if none)."""
    found = re.match(r"options\[(\d+)\]", problem.field or "")
    return int(found.group(1)) + 1 if found else ""
