"""A survey's questions in the builder: add or change one (with its options), move it up or
down, duplicate it, delete it.

Each change is checked whole, audited and committed (survey.surveys.changes).
"""

import copy

from flask_babel import gettext as _

from survey.audit import trail
from survey.commune.directory import organization_by_code
from survey.core.extensions import db
from survey.models import QUESTION_KINDS, Option, Question
from survey.responses.answer_rules import LONGEST_TEXT_LIMIT
from survey.surveys.changes import (
    BuilderError,
    check_whole,
    commit,
    frozen_message,
    is_frozen,
    question_record,
    refuse_if_frozen,
    refuse_tags,
    texts,
)
from survey.surveys.definitions import CHOICE_KINDS, CODE_PATTERN, FIXED_RANGES

QUESTION_CODE_LENGTH = 32


def save_question(user, survey, question, data):
    """Add a question (`question` None) at the end, or change one, as `user`; return it.

    `data` holds code, kind, text, help (per language), required, criterion, organization (a
    code or None), show_if (None or {"question", "in"}), feedback, min_value, max_value,
    max_length and options (a list of {code, label, value} in order).
    """
    frozen = is_frozen(survey)
    before = question_record(question) if question is not None else None
    if question is None and frozen:
        raise BuilderError(frozen_message())
    data = _normalized(survey, data)
    position = question.position if question is not None else len(survey.questions)
    _check_question(survey, question, data, position)
    if frozen:
        _refuse_structure_change(question, data)
    organization = organization_by_code(data["organization"]) if data["organization"] else None
    refuse_tags(user, [organization, question.organization if question is not None else None])
    if question is None:
        question = Question(position=position, code=data["code"], kind=data["kind"])
        _fill(question, data, organization)
        survey.questions.append(question)
    elif data["code"] != question.code:
        _rename_in_conditions(survey, question.code, data["code"])
    _fill(question, data, organization)
    _sync_options(question, data["options"])
    check_whole(survey)
    if before is None:
        trail.record(
            "question.create", _audit_target(survey, question), after=question_record(question)
        )
    else:
        trail.record(
            "question.update",
            _audit_target(survey, question),
            before=before,
            after=question_record(question),
        )
    commit(survey)
    return question


def _check_question(survey, question, data, position):
    code, kind = data["code"], data["kind"]
    if not CODE_PATTERN.match(code) or len(code) > QUESTION_CODE_LENGTH:
        raise BuilderError(
            _(
                "The question code may use only lowercase letters without accents, digits, - "
                "and _ (at most 32), e.g. hl_chamlo."
            ),
            "code",
        )
    if any(q.code == code for q in survey.questions if q is not question):
        raise BuilderError(_("Another question of this survey has this code."), "code")
    if kind not in QUESTION_KINDS:
        raise BuilderError(_("Choose the kind of question."), "kind")
    if not data["text"].get("vi"):
        raise BuilderError(_("Write the question in Vietnamese."), "text_vi")
    if data["criterion"] and (
        not CODE_PATTERN.match(data["criterion"]) or len(data["criterion"]) > 32
    ):
        raise BuilderError(
            _("The criterion is a short code of lowercase letters, e.g. satisfaction."),
            "criterion",
        )
    if data["organization"] and organization_by_code(data["organization"]) is None:
        raise BuilderError(_("Choose an organization from the list."), "organization")
    _check_options(kind, data["options"])
    _check_bounds(kind, data)
    if data["feedback"] and kind != "text":
        raise BuilderError(_("Only a text question can collect feedback."), "feedback")
    earlier = [q for q in survey.questions if q is not question and q.position < position]
    if data["show_if"] is not None:
        _check_condition(data["show_if"], {q.code: _answers_of(q) for q in earlier}, "show_if")
    if question is not None:
        new_answers = _answers_of_data(data)
        for dependent in survey.questions:
            condition = dependent.show_if or {}
            if condition.get("question") == question.code:
                try:
                    _check_condition(condition, {question.code: new_answers}, "show_if")
                except BuilderError:
                    raise BuilderError(
                        _(
                            "Question %(dependent)s is shown by some answers to this question; "
                            "those answers would no longer exist. Change its condition first.",
                            dependent=dependent.code,
                        ),
                        "kind",
                    ) from None


def _check_options(kind, options):
    if kind not in CHOICE_KINDS:
        if options:
            raise BuilderError(
                _("Only a single-choice or multiple-choice question has options."), "options"
            )
        return
    if len(options) < 2:
        raise BuilderError(_("A choice question needs at least two options."), "options")
    seen = set()
    for option in options:
        code = option["code"]
        if not CODE_PATTERN.match(code) or len(code) > 32:
            raise BuilderError(
                _(
                    "Each option needs a code of lowercase letters without accents, digits, - "
                    "or _ (at most 32), e.g. a, b, co_hop."
                ),
                "options",
            )
        if code in seen:
            raise BuilderError(_("Two options have the code %(code)s.", code=code), "options")
        seen.add(code)
        if not option["label"].get("vi"):
            raise BuilderError(
                _("Write the label of option %(code)s in Vietnamese.", code=code), "options"
            )


def _check_bounds(kind, data):
    if kind != "number" and (data["min_value"] is not None or data["max_value"] is not None):
        raise BuilderError(
            _("Only a number question has a smallest and largest value."), "min_value"
        )
    if (
        data["min_value"] is not None
        and data["max_value"] is not None
        and data["min_value"] > data["max_value"]
    ):
        raise BuilderError(_("The smallest value must not be above the largest."), "max_value")
    if data["max_length"] is not None:
        if kind != "text":
            raise BuilderError(_("Only a text question has a length limit."), "max_length")
        if not 1 <= data["max_length"] <= LONGEST_TEXT_LIMIT:
            raise BuilderError(
                _(
                    "The length limit must be from 1 to %(limit)s characters.",
                    limit=LONGEST_TEXT_LIMIT,
                ),
                "max_length",
            )


def _answers_of(question):
    """The answers a condition may name: option codes, or the whole numbers of a fixed scale."""
    if question.kind in CHOICE_KINDS:
        return {o.code for o in question.options}
    if question.kind in FIXED_RANGES:
        low, high = FIXED_RANGES[question.kind]
        return set(range(low, high + 1))
    return None


def _answers_of_data(data):
    if data["kind"] in CHOICE_KINDS:
        return {o["code"] for o in data["options"]}
    if data["kind"] in FIXED_RANGES:
        low, high = FIXED_RANGES[data["kind"]]
        return set(range(low, high + 1))
    return None


def _check_condition(condition, answers_by_code, field):
    target = condition.get("question")
    if target not in answers_by_code:
        raise BuilderError(_("A question can only depend on an earlier question."), field)
    allowed = answers_by_code[target]
    if allowed is None:
        raise BuilderError(
            _("A question can depend only on a choice, scale, yes/no or 0-10 question."), field
        )
    values = condition.get("in") or []
    if not values:
        raise BuilderError(_("Name the answers that show this question."), field)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise BuilderError(
            _("%(value)s is not an answer of question %(code)s.", value=bad[0], code=target),
            field,
        )


def _normalized(survey, data):
    languages = survey.languages
    data = dict(data)
    data["code"] = (data.get("code") or "").strip()
    data["text"] = texts(data.get("text") or {}, languages)
    data["help"] = texts(data.get("help") or {}, languages)
    data["criterion"] = (data.get("criterion") or "").strip() or None
    data["organization"] = data.get("organization") or None
    data["options"] = [
        {
            "code": (o.get("code") or "").strip(),
            "label": texts(o.get("label") or {}, languages),
            "value": o.get("value"),
        }
        for o in data.get("options") or []
    ]
    return data


def _fill(question, data, organization):
    question.code = data["code"]
    question.kind = data["kind"]
    question.text = data["text"]
    question.help = data["help"]
    question.required = data["required"]
    question.criterion = data["criterion"]
    question.organization = organization
    question.show_if = data["show_if"]
    question.feedback = data["feedback"]
    question.min_value = data["min_value"]
    question.max_value = data["max_value"]
    question.max_length = data["max_length"]


def _rename_in_conditions(survey, old, new):
    for question in survey.questions:
        if question.show_if and question.show_if.get("question") == old:
            question.show_if = {**question.show_if, "question": new}


def _sync_options(question, options):
    """Make the question's options `options`: kept codes are updated in place, so no two rows
    ever hold one code at once."""
    wanted = {o["code"] for o in options}
    existing = {o.code: o for o in question.options}
    for code, option in existing.items():
        if code not in wanted:
            question.options.remove(option)
    if len(existing) != len(question.options):
        db.session.flush()  # the deletes first: a new option may take a deleted one's code
    ordered = []
    for position, data in enumerate(options):
        option = existing.get(data["code"]) or Option(code=data["code"])
        option.label = data["label"]
        option.value = data["value"]
        option.position = position
        ordered.append(option)
    question.options = ordered


def _refuse_structure_change(question, data):
    current = question_record(question)
    proposed = {
        "code": data["code"],
        "kind": data["kind"],
        "required": bool(data["required"]),
        "criterion": data["criterion"],
        "organization": data["organization"],
        "show_if": data["show_if"],
        "feedback": bool(data["feedback"]),
        "min_value": data["min_value"],
        "max_value": data["max_value"],
        "max_length": data["max_length"],
    }
    for key, value in proposed.items():
        if current[key] != value:
            raise BuilderError(frozen_message(), key)
    old_options = [(o["code"], o["value"]) for o in current.get("options", [])]
    new_options = [(o["code"], o["value"]) for o in data["options"]]
    if old_options != new_options:
        raise BuilderError(frozen_message(), "options")


def move_question(survey, question, direction):
    """Move a question one place up (direction -1) or down (+1)."""
    refuse_if_frozen(survey)
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index + direction
    if direction not in (-1, 1) or not 0 <= other < len(ordered):
        raise BuilderError(_("This question cannot move further."))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _check_order(ordered)
    before = {"position": question.position}
    _renumber(survey, ordered)
    trail.record(
        "question.move",
        _audit_target(survey, question),
        before=before,
        after={"position": question.position},
    )
    commit(survey)


def _check_order(ordered):
    seen = set()
    for question in ordered:
        target = (question.show_if or {}).get("question")
        if target and target not in seen:
            raise BuilderError(
                _(
                    "Question %(code)s depends on question %(target)s, so it must stay after it.",
                    code=question.code,
                    target=target,
                )
            )
        seen.add(question.code)


def duplicate_question(user, survey, question):
    """Put a copy of a question right after it, with a new unique code."""
    refuse_if_frozen(survey)
    refuse_tags(user, [question.organization])
    codes = {q.code for q in survey.questions}
    base = question.code[: QUESTION_CODE_LENGTH - 3]
    number = 2
    while f"{base}_{number}" in codes:
        number += 1
    twin = Question(
        code=f"{base}_{number}",
        kind=question.kind,
        text=dict(question.text),
        help=dict(question.help or {}),
        required=question.required,
        criterion=question.criterion,
        organization=question.organization,
        show_if=copy.deepcopy(question.show_if),
        feedback=question.feedback,
        min_value=question.min_value,
        max_value=question.max_value,
        max_length=question.max_length,
        options=[
            Option(code=o.code, label=dict(o.label), value=o.value, position=o.position)
            for o in question.options
        ],
    )
    ordered = list(survey.questions)
    ordered.insert(ordered.index(question) + 1, twin)
    survey.questions.append(twin)
    _renumber(survey, ordered)
    check_whole(survey)
    trail.record(
        "question.duplicate",
        _audit_target(survey, twin),
        after=question_record(twin),
        source=question.code,
    )
    commit(survey)
    return twin


def delete_question(survey, question):
    """Delete a question no other question's condition depends on."""
    refuse_if_frozen(survey)
    dependents = [
        q.code for q in survey.questions if (q.show_if or {}).get("question") == question.code
    ]
    if dependents:
        raise BuilderError(
            _(
                "Question %(dependent)s is shown by the answer to this question: change or "
                "delete its condition first.",
                dependent=dependents[0],
            )
        )
    before = question_record(question)
    ordered = [q for q in survey.questions if q is not question]
    survey.questions.remove(question)
    _renumber(survey, ordered)
    trail.record("question.delete", _audit_target(survey, question), before=before)
    commit(survey)


def _audit_target(survey, question):
    return f"{survey.code}/{question.code}"


def _renumber(survey, ordered):
    for position, question in enumerate(ordered):
        question.position = position
    survey.questions = ordered
