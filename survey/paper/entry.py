"""Paper forms typed in by village officers, with optional double entry.

On paper, choices are numbered: the officer types 2 for the second option of a single
question, and "1 3" for the first and third of a multi question. Once parsed, a sheet follows
the same answer rules as the web form.

Every typing is counted for its typist (PaperTyping: per survey and person, sheets, and the
current run of typing to the minute); a sheet counted from a run faster than a person types
(PAPER_MIN_SECONDS_PER_SHEET) is kept as a FastSheet, by its number only, for the integrity
checks. Nothing records which sheet, or which response, a person typed.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from analytics import typed_too_fast
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, day_start
from survey.models import FastSheet, PaperEntry, PaperTyping, Response, UTCDateTime, utcnow
from survey.responses.answer_rules import (
    FIXED_RANGES,
    NOT_A_CHOICE,
    check_answers,
    plain_number,
    small_whole_number,
)
from survey.responses.storing import SubmissionConflict, submit_response

SHEET_NAMESPACE = uuid.UUID("5b0f6f0e-6a55-4b0e-9d61-6a7f7f1c2e11")
# Sheets one person types less than this far apart are one run of typing.
RUN_GAP = timedelta(minutes=10)


@dataclass(frozen=True)
class SheetResult:
    """What happened to a typed sheet: stored, waiting (first typing), or mismatch."""

    outcome: str
    sheet_no: str
    differences: tuple[str, ...] = ()


class SheetRefused(Exception):
    """The sheet cannot be taken as typed; the message says why."""


def sheet_label(unit, number):
    """The stored sheet number: the village code and the number written on the sheet.

    >>> class U: code = "thon1"
    >>> sheet_label(U, "12")
    'thon1-0012'
    """
    return f"{unit.code}-{int(number):04d}"


def sheet_number(label):
    """The number written on the sheet, from its stored label.

    >>> sheet_number("thon1-0012")
    12
    """
    return int(label.rsplit("-", 1)[1])


def parse_sheet_number(text):
    """The number written on the sheet, or None when it is not a positive whole number."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"\d{1,6}", text) and int(text) > 0 else None


def raw_from_typed(questions, typed):
    """Turn typed values (option numbers for choices) into raw answers by option code.

    Returns (raw, errors); a number outside the options is an error for its question.
    """
    raw, errors = {}, {}
    for question in questions:
        text = (typed.get(question.code) or "").strip()
        if question.kind in ("single", "multi") and text:
            numbers = re.split(r"[\s,;]+", text)
            codes = []
            for number in numbers:
                chosen = small_whole_number(number)
                if chosen is None or not 1 <= chosen <= len(question.options):
                    errors[question.code] = _allowed(question)
                    break
                codes.append(question.options[chosen - 1].code)
            if question.code in errors:
                continue
            if question.kind == "single" and len(codes) > 1:
                errors[question.code] = _allowed(question)
                continue
            raw[question.code] = codes if question.kind == "multi" else codes[0]
        else:
            raw[question.code] = text
    return raw, errors


def typed_from_answers(questions, answers):
    """The typed form of stored answers (option numbers for choices), to show a sheet again."""
    typed = {}
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            continue
        if question.kind in ("single", "multi"):
            order = [o.code for o in question.options]
            values = value if isinstance(value, list) else [value]
            typed[question.code] = " ".join(str(order.index(v) + 1) for v in values)
        elif isinstance(value, int | float):
            typed[question.code] = plain_number(value)  # 4, not 4.0
        else:
            typed[question.code] = str(value)
    return typed


def check_sheet(survey, typed):
    """Canonical answers of a typed sheet, and a message per wrong or missing question."""
    questions = list(survey.questions)
    raw, parse_errors = raw_from_typed(questions, typed)
    answers, errors = check_answers(questions, raw)
    for question in questions:  # on paper, say which numbers the sheet allows
        if errors.get(question.code) is NOT_A_CHOICE:
            errors[question.code] = _allowed(question)
    errors.update(parse_errors)
    return answers, errors


def _allowed(question):
    """What may be typed for a question, as the officer reads it beside the field."""
    if question.kind == "yesno":
        return _l("Type 1 for yes or 0 for no.")
    if question.kind in FIXED_RANGES:
        low, high = FIXED_RANGES[question.kind]
        return _l("Type a number from %(low)d to %(high)d.", low=low, high=high)
    if question.kind == "multi":
        return _l(
            "Type the numbers of the answers ticked, from 1 to %(high)d, separated by spaces.",
            high=len(question.options),
        )
    return _l("Type one number from 1 to %(high)d.", high=len(question.options))


def sheet_counts(survey, unit):
    """Paper sheets of `survey` counted for `unit`: today (commune time) and in all."""
    paper = sa.and_(
        Response.survey_id == survey.id, Response.unit_id == unit.id, Response.channel == "paper"
    )
    today = day_start(datetime.now(COMMUNE_TIME).date())
    total, since_today = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(Response.submitted_at >= today)).where(
            paper
        )
    ).one()
    return {"today": since_today, "total": total}


def enter_sheet(survey, unit, sheet_no, answers, user):
    """Record one typing of a checked sheet; return what happened (SheetResult)."""
    if db.session.scalar(
        sa.select(Response.id).where(Response.survey_id == survey.id, Response.sheet_no == sheet_no)
    ):
        raise SheetRefused("already counted")
    if not survey.double_entry:
        _store(survey, unit, sheet_no, answers, record_typing(survey, user))
        return SheetResult("stored", sheet_no)
    entries = {e.pass_no: e for e in _entries(survey, sheet_no)}
    if not entries:
        record_typing(survey, user)
        _add_entry(survey, unit, sheet_no, 1, answers, user)
        return SheetResult("waiting", sheet_no)
    if 2 in entries:
        raise SheetRefused("mismatch pending")
    first = entries[1]
    if first.entered_by_id == user.id:
        raise SheetRefused("same person")
    if first.unit_id != unit.id:
        raise SheetRefused("other village")
    fast = record_typing(survey, user)
    if first.answers == answers:
        db.session.delete(first)
        _store(survey, unit, sheet_no, answers, fast)
        return SheetResult("stored", sheet_no)
    _add_entry(survey, unit, sheet_no, 2, answers, user)
    return SheetResult("mismatch", sheet_no, differences=differences(first.answers, answers))


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def record_typing(survey, user, now=None):
    """Count one typing by `user` into `survey`, in the person's run of typing; return whether
    that run goes faster than a person types (PAPER_MIN_SECONDS_PER_SHEET a sheet).

    One UPDATE does it, so that sheets sent at once by one person are each counted. The run
    keeps the minute it began and the minute of its latest sheet, so a run is timed from up to
    a minute early: slower than it was, never faster.
    """
    now = now or utcnow()
    minute = _minute(now)
    typist = (user.full_name or user.username)[:120]
    table = PaperTyping.__table__
    insert = (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(table)
    db.session.execute(
        insert.values(
            commune_id=survey.commune_id,
            survey_id=survey.id,
            user_id=user.id,
            typist=typist,
            sheets=0,
            fast_sheets=0,
            run_sheets=0,
        ).on_conflict_do_nothing(index_elements=["survey_id", "user_id"])
    )
    mine = sa.and_(table.c.survey_id == survey.id, table.c.user_id == user.id)
    new_run = sa.or_(table.c.run_last_at.is_(None), table.c.run_last_at < minute - RUN_GAP)
    run_sheets, started = db.session.execute(
        table.update()
        .where(mine)
        .values(
            typist=typist,
            sheets=table.c.sheets + 1,
            run_started_at=sa.case(
                (new_run, sa.literal(minute, UTCDateTime)), else_=table.c.run_started_at
            ),
            run_sheets=sa.case((new_run, 1), else_=table.c.run_sheets + 1),
            run_last_at=sa.literal(minute, UTCDateTime),
        )
        .returning(table.c.run_sheets, table.c.run_started_at)
    ).one()
    limit = current_app.config["PAPER_MIN_SECONDS_PER_SHEET"]
    fast = typed_too_fast(run_sheets, (now - started).total_seconds(), limit)
    if fast:
        db.session.execute(table.update().where(mine).values(fast_sheets=table.c.fast_sheets + 1))
    return fast


def _entries(survey, sheet_no):
    return db.session.scalars(
        sa.select(PaperEntry).where(
            PaperEntry.survey_id == survey.id, PaperEntry.sheet_no == sheet_no
        )
    ).all()


def _add_entry(survey, unit, sheet_no, pass_no, answers, user):
    entry = PaperEntry(
        survey_id=survey.id,
        unit_id=unit.id,
        sheet_no=sheet_no,
        pass_no=pass_no,
        answers=answers,
        entered_by_id=user.id,
    )
    try:
        # Added inside the savepoint, so that a refusal undoes this typing only.
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # Another officer saved the same typing of this sheet a moment earlier.
        raise SheetRefused("typed meanwhile") from None


def differences(first, second):
    """Question codes whose answers differ between two typings."""
    return tuple(
        sorted(code for code in set(first) | set(second) if first.get(code) != second.get(code))
    )


def mismatches(survey):
    """Sheets typed twice with different answers: (first, second, differing codes), by sheet."""
    entries = db.session.scalars(
        sa.select(PaperEntry)
        .where(PaperEntry.survey_id == survey.id)
        .order_by(PaperEntry.sheet_no, PaperEntry.pass_no)
    ).all()
    by_sheet = {}
    for entry in entries:
        by_sheet.setdefault(entry.sheet_no, {})[entry.pass_no] = entry
    return [
        (passes[1], passes[2], differences(passes[1].answers, passes[2].answers))
        for passes in by_sheet.values()
        if 2 in passes
    ]


def resolve(survey, sheet_no, answers, user):
    """Count a mismatched sheet with the answers read again from the paper by `user`."""
    entries = _entries(survey, sheet_no)
    if len(entries) != 2:
        raise SheetRefused("mismatch pending")  # resolved meanwhile by someone else
    unit = entries[0].unit
    for entry in entries:
        db.session.delete(entry)
    _store(survey, unit, sheet_no, answers, record_typing(survey, user))
    return SheetResult("stored", sheet_no)


def _store(survey, unit, sheet_no, answers, fast):
    uid = str(uuid.uuid5(SHEET_NAMESPACE, f"{survey.code}:{sheet_no}"))
    try:
        submit_response(
            survey,
            answers,
            submission_uid=uid,
            unit_id=unit.id,
            channel="paper",
            lang="vi",
            sheet_no=sheet_no,
        )
    except SubmissionConflict:
        raise SheetRefused("already counted") from None
    if fast:
        # After the response it points at, in the same transaction: a refused sheet leaves
        # neither.
        db.session.add(FastSheet(survey_id=survey.id, sheet_no=sheet_no))
        db.session.flush()
