"""Correcting or withdrawing a paper sheet after it was typed.

A sheet is found by its village and the number written on it, the way the officer holding
the paper knows it. Who may do it: the office, and the officers who may type that village's
sheets of the survey but an organization's officer, the paper sheets being the village's
(survey.accounts.access.may_change_sheets). Nothing records who typed a counted sheet (see
survey.paper.entry), so "its typist" is whoever holds the village's papers; a first typing
still waiting for its second names its typist, and only that person or the office changes it.

Only while the survey still takes paper forms: once it closes, its answers are counted.

A counted sheet is corrected by storing it again with the answers read from the paper: its
answers, criterion counts and uniform-answer count are made afresh, while what is not an
answer stays as it was (its time, its batch, a flag for fast typing). Its feedback items
follow their text: an item whose text is unchanged keeps its replies; one whose text is gone
leaves the inbox if nobody has acted on it yet, and stays (detached from the answer) if
someone has. Each change is written in the audit log with the sheet's village and number and
which questions changed, never the answers themselves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from survey.audit import trail
from survey.core.extensions import db
from survey.models import Answer, FastSheet, FeedbackItem, PaperEntry, Response, ResponseCriterion
from survey.paper.entry import SHEET_NAMESPACE, SheetRefused, differences, sheet_label
from survey.responses.storing import submit_response


@dataclass(frozen=True)
class TypedSheet:
    """A paper sheet as typed so far: counted (`response`), or waiting for its second typing
    (`waiting`, the first typing), or both typings differing (`mismatch`)."""

    unit: object
    number: int
    label: str
    response: Response | None = None
    waiting: PaperEntry | None = None
    mismatch: bool = False


def find_sheet(survey, unit, number):
    """The sheet numbered `number` of village `unit` in `survey`, or None if never typed."""
    label = sheet_label(unit, number)
    response = db.session.scalar(
        sa.select(Response).where(
            Response.survey_id == survey.id,
            Response.sheet_no == label,
            Response.channel == "paper",
        )
    )
    if response is not None:
        return TypedSheet(unit, number, label, response=response)
    entries = db.session.scalars(
        sa.select(PaperEntry)
        .where(PaperEntry.survey_id == survey.id, PaperEntry.sheet_no == label)
        .order_by(PaperEntry.pass_no)
    ).all()
    if not entries:
        return None
    return TypedSheet(unit, number, label, waiting=entries[0], mismatch=len(entries) > 1)


def stored_answers(survey, response):
    """A counted sheet's answers as the typing makes them (question code -> value)."""
    questions = {q.id: q for q in survey.questions}
    options = {o.id: o.code for q in survey.questions for o in q.options}
    answers = {}
    for answer in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)):
        question = questions[answer.question_id]
        if question.kind == "multi":
            answers.setdefault(question.code, []).append(options[answer.option_id])
        elif question.kind == "single":
            answers[question.code] = options[answer.option_id]
        elif question.kind == "text":
            answers[question.code] = answer.text
        else:
            answers[question.code] = answer.number
    return answers


def changed_questions(survey, before, after):
    """The numbers ("Câu n") of the questions whose answers differ."""
    changed = set(differences(_canonical(before), _canonical(after)))
    return [n for n, q in enumerate(survey.questions, 1) if q.code in changed]


def _canonical(answers):
    return {
        code: sorted(value) if isinstance(value, list) else value
        for code, value in answers.items()
        if value is not None and value != "" and value != []
    }


def correct_sheet(survey, sheet, answers, user):
    """Replace a sheet's answers with those read again from the paper; return the numbers
    of the questions that changed (nothing is written when none did)."""
    if sheet.waiting is not None:
        return _correct_waiting(survey, sheet, answers, user)
    before = stored_answers(survey, sheet.response)
    changed = changed_questions(survey, before, answers)
    if not changed:
        return changed
    _store_again(survey, sheet, answers)
    _audit("paper.correct", survey, sheet, user, questions=changed)
    return changed


def _correct_waiting(survey, sheet, answers, user):
    entry = sheet.waiting
    _check_typist(entry, user, sheet)
    changed = changed_questions(survey, entry.answers, answers)
    if changed:
        entry.answers = answers
        _audit("paper.correct", survey, sheet, user, questions=changed, waiting=True)
    return changed


def withdraw_sheet(survey, sheet, reason, user):
    """Take a sheet out of the count (or its waiting first typing), with the reason given."""
    if sheet.waiting is not None:
        _check_typist(sheet.waiting, user, sheet)
        db.session.delete(sheet.waiting)
        _audit("paper.withdraw", survey, sheet, user, reason=reason, waiting=True)
        return
    _drop_untouched_feedback(_feedback_of(sheet.response), keep_texts={})
    db.session.delete(sheet.response)
    db.session.flush()
    _audit("paper.withdraw", survey, sheet, user, reason=reason)


def _check_typist(entry, user, sheet):
    if sheet.mismatch:
        raise SheetRefused("mismatch pending")
    if user.role != "admin" and entry.entered_by_id != user.id:
        raise SheetRefused("not your typing")


def _audit(action, survey, sheet, user, **details):
    trail.record(
        action,
        f"{survey.code}/{sheet.number}",
        user=user,
        unit=sheet.unit.code,
        sheet=sheet.number,
        **details,
    )


def _feedback_of(response):
    """The feedback items made from a response's answers: (item, question id)."""
    return db.session.execute(
        sa.select(FeedbackItem, Answer.question_id)
        .join(Answer, FeedbackItem.answer_id == Answer.id)
        .where(Answer.response_id == response.id)
    ).all()


def _untouched(item):
    return item.status == "new" and not item.published and not item.public_reply


def _drop_untouched_feedback(items, keep_texts):
    """Delete the items nobody has acted on whose text is not kept; return the kept ones by
    (question id, text)."""
    kept = {}
    for item, question_id in items:
        key = (question_id, item.text)
        if key in keep_texts and key not in kept:
            kept[key] = item
        elif _untouched(item):
            db.session.delete(item)
    return kept


def _store_again(survey, sheet, answers):
    """Store a counted sheet anew with `answers`, keeping its time, batch and fast flag."""
    old = sheet.response
    kept = {"submitted_at": old.submitted_at, "released": old.released}
    fast = db.session.scalar(
        sa.select(
            sa.exists().where(FastSheet.survey_id == survey.id, FastSheet.sheet_no == sheet.label)
        )
    )
    texts = {q.code: q.id for q in survey.questions if q.kind == "text"}
    new_texts = {(texts[code], value) for code, value in answers.items() if code in texts}
    kept_items = _drop_untouched_feedback(_feedback_of(old), keep_texts=new_texts)
    db.session.delete(old)
    db.session.flush()  # its answers, counts and fast flag go with it (ON DELETE CASCADE)
    submit_response(
        survey,
        answers,
        submission_uid=str(uuid.uuid5(SHEET_NAMESPACE, f"{survey.code}:{sheet.label}")),
        unit_id=sheet.unit.id,
        channel="paper",
        lang="vi",
        sheet_no=sheet.label,
    )
    new_id = db.session.scalar(
        sa.select(Response.id).where(
            Response.survey_id == survey.id, Response.sheet_no == sheet.label
        )
    )
    db.session.execute(sa.update(Response).where(Response.id == new_id).values(**kept))
    db.session.execute(
        sa.update(ResponseCriterion)
        .where(ResponseCriterion.response_id == new_id)
        .values(released=kept["released"])
    )
    _keep_feedback(new_id, kept_items)
    if fast:
        db.session.add(FastSheet(survey_id=survey.id, sheet_no=sheet.label))
    db.session.flush()


def _keep_feedback(response_id, kept_items):
    """Point the kept feedback items at the new answers with their text, in place of the
    items the new answers just made."""
    if not kept_items:
        return
    fresh = db.session.execute(
        sa.select(FeedbackItem.id, FeedbackItem.text, Answer.question_id, Answer.id)
        .join(Answer, FeedbackItem.answer_id == Answer.id)
        .where(Answer.response_id == response_id)
    ).all()
    for item_id, text, question_id, answer_id in fresh:
        old = kept_items.get((question_id, text))
        if old is not None:
            # Statements, not attribute changes: the database may give the new answer the id
            # the old one had, which the kept item still holds in memory.
            db.session.execute(sa.delete(FeedbackItem).where(FeedbackItem.id == item_id))
            db.session.execute(
                sa.update(FeedbackItem)
                .where(FeedbackItem.id == old.id)
                .values(answer_id=answer_id)
                .execution_options(synchronize_session=False)
            )
            db.session.expire(old)
