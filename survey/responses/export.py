"""A survey's responses, anonymized, in the Response CSV format (docs/contract.md#response-csv),
read in chunks.

What the export leaves out or coarsens, so that a row cannot be matched to a person:
no receipt code, no start time or duration; `submitted_at` is the day only (commune time);
`submission_uid` holds a row id made afresh for each export (a random export prefix and a row
number), never the stored uid; `unit` is left empty for the villages whose results the
Results JSON hides (fewer than k respondents, and the second village hidden with a lone one).
Rows come in an order unrelated to time. Only the responses released so far are in it
(survey.responses.release): two exports differ by a batch of at least k responses, never by
one. A cell a spreadsheet would read as a formula gets a leading apostrophe
(survey.core.text_safety.csv_cell).
The file still re-imports with `flask responses import`, into this survey or a copy of it,
which takes the apostrophe off again.

Responses are read CHUNK at a time (keyset pages), with their answers fetched per page, so a
survey with 100,000 responses is never held in memory at once.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.core.text_safety import csv_cell
from survey.models import Answer, Option, Response, Unit
from survey.responses.importing import FIXED_COLUMNS
from survey.responses.release import counted
from survey.responses.suppression import hidden_village_codes

CHUNK = 1000
# Excel opens a UTF-8 CSV with Vietnamese text correctly only with a byte-order mark;
# `flask responses import` reads it (utf-8-sig).
BOM = "\ufeff"


def header(survey, left_out=frozenset()) -> list[str]:
    """The CSV header: the fixed columns, then one column per question code (but those of
    `left_out`)."""
    return [*FIXED_COLUMNS, *(q.code for q in survey.questions if q.code not in left_out)]


def _number(value):
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pages(survey):
    """Pages of (id, unit_id, submitted_at, channel, lang) of the responses released so far,
    ordered by the digest of their submission id: random with respect to time, and indexed."""
    after = ""
    while True:
        rows = db.session.execute(
            sa.select(
                Response.id,
                Response.submission_uid,
                Response.unit_id,
                Response.submitted_at,
                Response.channel,
                Response.lang,
            )
            .where(
                Response.survey_id == survey.id,
                counted(survey, Response.released),
                Response.submission_uid > after,
            )
            .order_by(Response.submission_uid)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].submission_uid


def _answers(ids, question_ids):
    """{response id: {question id: value}} for one page, only the questions of
    `question_ids`; multi answers as lists of (option position, code)."""
    found: dict[int, dict[int, object]] = {}
    rows = db.session.execute(
        sa.select(
            Answer.response_id,
            Answer.question_id,
            Answer.kind,
            Option.code,
            Option.position,
            Answer.number,
            Answer.text,
        )
        .outerjoin(Option, Option.id == Answer.option_id)
        .where(Answer.response_id.in_(ids), Answer.question_id.in_(question_ids))
    ).all()
    for response_id, question_id, kind, option, position, number, text in rows:
        answers = found.setdefault(response_id, {})
        if kind == "multi":
            answers.setdefault(question_id, []).append((position, option))
        elif kind == "single":
            answers[question_id] = option
        elif kind == "text":
            answers[question_id] = text
        else:
            answers[question_id] = number
    return found


def _cell(kind, value, as_numbers):
    if value is None:
        return "" if not as_numbers else None
    if kind == "multi":
        return "|".join(code for _position, code in sorted(value))
    if kind in ("single", "text"):
        return value
    if as_numbers:
        return int(value) if float(value).is_integer() else float(value)
    return _number(value)


def response_rows(survey, as_numbers: bool = False, left_out=frozenset()) -> Iterator[list]:
    """The anonymized rows of `survey`, header first. With `as_numbers`, numeric answers are
    numbers, the day a date and empty cells None (for a spreadsheet); else all text.

    The questions whose codes are in `left_out` (free text the reader may not read, see
    survey.accounts.access.withheld_text_questions) have no column at all."""
    yield header(survey, left_out)
    hidden = hidden_village_codes(survey)
    units = {
        unit_id: ("" if code in hidden else code)
        for unit_id, code in db.session.execute(sa.select(Unit.id, Unit.code))
    }
    questions = [(q.id, q.kind) for q in survey.questions if q.code not in left_out]
    prefix = secrets.token_hex(4)
    row_no = 0
    for page in _pages(survey):
        answers = _answers([r.id for r in page], [qid for qid, _kind in questions])
        for response in page:
            row_no += 1
            day = response.submitted_at.astimezone(COMMUNE_TIME).date()
            given = answers.get(response.id, {})
            yield [
                f"{prefix}-{row_no}",
                units.get(response.unit_id, "") if response.unit_id is not None else "",
                day if as_numbers else day.isoformat(),
                response.channel,
                response.lang,
                *(_cell(kind, given.get(qid), as_numbers) for qid, kind in questions),
            ]


def response_csv(survey, left_out=frozenset()) -> Iterator[str]:
    """The anonymized CSV of `survey` as text chunks (a byte-order mark first), without the
    columns of the question codes in `left_out`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    for n, row in enumerate(response_rows(survey, left_out=left_out), start=1):
        writer.writerow([csv_cell(value) for value in row])
        if n % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
