"""A survey's questions in the builder: add or change one (with its options), move it up or
down, duplicate it, delete it.

A question is checked by the rules every question keeps (survey.surveys.question_rules), worded
for the officer (survey.surveys.question_messages), then by what only the builder knows: the
organization exists, the questions that depend on this one still can, a frozen survey keeps its
structure. Services: each changes the session and flushes in a savepoint
(survey.surveys.changes); the caller commits.
"""

import copy

from flask_babel import gettext as _

from survey.audit import trail
from survey.commune.directory import organization_by_code
from survey.core.codes import code_from_text
from survey.core.extensions import db
from survey.models import Option, Question
from survey.surveys.changes import (
    BuilderError,
    frozen_message,
    in_savepoint,
    is_frozen,
    question_record,
    refuse_if_frozen,
    refuse_tags,
    save,
    texts,
)
from survey.surveys.question_messages import refusal
from survey.surveys.question_rules import (
    QUESTION_CODE_LENGTH,
    Problem,
    check_condition,
    check_question,
    target_of,
)


@in_savepoint
def save_question(user, survey, question, data, position=None):
    """Add a question (`question` None) at `position` (counted from 0; None: at the end), or
    change one, as `user`; return it.

    `data` holds code, kind, text, help (per language), required, criterion, organization (a
    code or None), show_if (None or {"question", "in"}), feedback, min_value, max_value,
    max_length and options (a list of {code, label, value} in order).
    """
    frozen = is_frozen(survey)
    before = question_record(question) if question is not None else None
    if question is None and frozen:
        raise BuilderError(frozen_message())
    data = _normalized(survey, data, question)
    if question is not None:
        position = question.position
    elif position is None or not 0 <= position <= len(survey.questions):
        position = len(survey.questions)
    _check_question(survey, question, data, position)
    if frozen:
        _refuse_structure_change(question, data)
    organization = organization_by_code(data["organization"]) if data["organization"] else None
    refuse_tags(user, [organization, question.organization if question is not None else None])
    if question is None:
        question = Question(position=position, code=data["code"], kind=data["kind"])
        _fill(question, data, organization)
        ordered = list(survey.questions)
        ordered.insert(position, question)
        _renumber(survey, ordered)
    elif data["code"] != question.code:
        _rename_in_conditions(survey, question.code, data["code"])
    _fill(question, data, organization)
    _sync_options(question, data["options"])
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
    save(survey)
    return question


def _check_question(survey, question, data, position):
    others = [q for q in survey.questions if q is not question]
    earlier = {q.code: _target(q) for q in others if q.position < position}
    try:
        check_question(
            data,
            languages=survey.languages,
            earlier=earlier,
            other_codes={q.code for q in others},
        )
    except Problem as problem:
        raise refusal(problem) from None
    if data["organization"] and organization_by_code(data["organization"]) is None:
        raise BuilderError(_("Choose an organization from the list."), "organization")
    if question is not None:
        _check_dependents(survey, question, data)


def _check_dependents(survey, question, data):
    """Refuse a change that takes away the answers another question's condition names."""
    changed = {question.code: target_of(data["kind"], [o["code"] for o in data["options"]])}
    for dependent in survey.questions:
        condition = dependent.show_if or {}
        if condition.get("question") != question.code:
            continue
        try:
            check_condition(condition, changed)
        except Problem:
            raise BuilderError(
                _(
                    "Question %(dependent)s is shown by some answers to this question; "
                    "those answers would no longer exist. Change its condition first.",
                    dependent=dependent.position + 1,
                ),
                "kind",
            ) from None


def _target(question):
    """What a condition may name of a stored question (question_rules.Target)."""
    return target_of(question.kind, [o.code for o in question.options])


def _normalized(survey, data, question=None):
    """`data` trimmed; a code left empty is the question's own, or one made from its text (an
    option's from its label)."""
    languages = survey.languages
    data = dict(data)
    data["code"] = (data.get("code") or "").strip()
    data["text"] = texts(data.get("text") or {}, languages)
    if not data["code"]:
        others = {q.code for q in survey.questions if q is not question}
        made = code_from_text(data["text"].get("vi", ""), others, fallback="cau")
        data["code"] = question.code if question is not None else made
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
    taken = {o["code"] for o in data["options"] if o["code"]}
    for option in data["options"]:
        if not option["code"]:
            label = option["label"].get("vi", "") if isinstance(option["label"], dict) else ""
            option["code"] = code_from_text(label, taken, fallback="lua_chon")
            taken.add(option["code"])
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


@in_savepoint
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
    save(survey)


def _check_order(ordered):
    seen = set()
    numbers = {q.code: q.position + 1 for q in ordered}  # as the list shows them now
    for question in ordered:
        target = (question.show_if or {}).get("question")
        if target and target not in seen:
            raise BuilderError(
                _(
                    "Question %(n)s is shown by the answer to question %(target)s, so it must "
                    "stay after it.",
                    n=numbers[question.code],
                    target=numbers.get(target, "?"),
                )
            )
        seen.add(question.code)


@in_savepoint
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
    trail.record(
        "question.duplicate",
        _audit_target(survey, twin),
        after=question_record(twin),
        source=question.code,
    )
    save(survey)
    return twin


@in_savepoint
def delete_question(survey, question):
    """Delete a question no other question's condition depends on."""
    refuse_if_frozen(survey)
    dependents = [
        q.position + 1
        for q in survey.questions
        if (q.show_if or {}).get("question") == question.code
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
    save(survey)


def _audit_target(survey, question):
    return f"{survey.code}/{question.code}"


def _renumber(survey, ordered):
    for position, question in enumerate(ordered):
        question.position = position
    survey.questions = ordered
