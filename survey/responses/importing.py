"""`flask responses import`: bulk or paper responses from CSV (docs/contract.md#response-csv).

The whole file or nothing: every row is checked first, each bad row is reported with its line
number and reason, and only a clean file is written, in one transaction.
"""

import csv
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from survey.audit import trail
from survey.core.bulk import insert_rows
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.core.text_safety import csv_value, strip_control
from survey.models import CHANNELS, Answer, FeedbackItem, Response, ResponseCriterion, Unit
from survey.responses.answer_rules import check_answers
from survey.responses.storing import criterion_rows, feedback_row, long_format
from survey.responses.submission import answers_digest, uid_digest, uniform_likert

FIXED_COLUMNS = ("submission_uid", "unit", "submitted_at", "channel", "lang")
MAX_REPORTED = 50


class ImportRejected(Exception):
    """The file was not imported; `errors` lists each problem with its line."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    already_there: int


def import_responses(survey, lines):
    """Check and import the CSV rows in `lines` (an iterable of text lines) for `survey`."""
    if survey.status == "draft":
        raise ImportRejected(["survey: it is a draft; open it before importing responses"])
    reader, header = read_header(lines)
    questions = list(survey.questions)
    _check_header(header, questions)
    units = {u.code: u.id for u in db.session.scalars(sa.select(Unit))}
    existing = dict(
        db.session.execute(
            sa.select(Response.submission_uid, Response.answers_digest).where(
                Response.survey_id == survey.id
            )
        ).all()
    )
    errors, rows, seen, already = [], [], set(), 0
    multi = {q.code for q in questions if q.kind == "multi"}
    for line_no, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank line
        problems, row = _check_row(survey, header, values, questions, multi, units)
        uid = row.get("submission_uid")
        if uid in seen:
            problems.append(f"submission_uid {uid!r} appears twice in the file")
        seen.add(uid)
        if not problems and uid_digest(uid) in existing:
            if existing[uid_digest(uid)] != row["answers_digest"]:
                problems.append(f"submission_uid {uid!r} was imported before with other answers")
            else:
                already += 1
                continue
        if problems:
            errors.append(f"line {line_no}: " + "; ".join(problems))
        else:
            rows.append(row)
    refuse_if_any(errors, more="lines with problems")
    _write(survey, rows)
    if rows:
        # Imported sheets carry their own past times: the log tells the dashboards too.
        trail.record("responses.import", survey.code, added=len(rows))
    return ImportResult(added=len(rows), already_there=already)


def refuse_if_any(errors, more="problems"):
    """Raise ImportRejected when there are `errors`, naming the first MAX_REPORTED of them and
    how many `more` there are beyond."""
    if not errors:
        return
    shown = errors[:MAX_REPORTED]
    if len(errors) > MAX_REPORTED:
        shown.append(f"... and {len(errors) - MAX_REPORTED} more {more}")
    raise ImportRejected(shown)


def read_header(lines):
    """The CSV reader over `lines` and its header row (each name stripped); ImportRejected
    for an empty file."""
    reader = csv_reader(lines)
    header = next(reader, None)
    if header is None:
        raise ImportRejected(["line 1: the file is empty"])
    return reader, [h.strip() for h in header]


def csv_reader(lines):
    """csv.reader over `lines` (text lines), whose unreadable records raise ImportRejected
    naming the line (and the column, for a cell over the csv module's size limit) instead of
    csv.Error: a cell of 200 KB, a NUL character."""
    record = []  # the lines of the record being read

    def remembered():
        for line in lines:
            record.append(line)
            yield line

    reader = csv.reader(remembered())
    header = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = _unreadable(reader.line_num, "".join(record), header, error)
            raise ImportRejected([problem]) from None
        record.clear()
        header = cells if header is None else header
        nul = next((i for i, cell in enumerate(cells) if "\x00" in cell), None)
        if nul is not None:  # the database could not store it (PostgreSQL)
            where = _column(reader.line_num, header, nul)
            raise ImportRejected([f"{where}: a NUL character, which no CSV cell may hold"])
        yield cells


def _column(line_no, header, index):
    name = repr(header[index].strip()) if header and index < len(header) else index + 1
    return f"line {line_no}, column {name}"


def _unreadable(line_no, record, header, error):
    limit = csv.field_size_limit()
    column = _long_cell(record, limit)
    if column is None:
        return f"line {line_no}: not readable as CSV ({error})"
    return f"{_column(line_no, header, column)}: a cell is longer than {limit:,} characters"


def _long_cell(record, limit):
    """The index of the first cell of `record` (CSV text) longer than `limit`, or None."""
    column, length, quoted = 0, 0, False
    for char in record:
        if char == '"':
            quoted = not quoted  # a doubled quote inside quotes toggles twice: no matter
            continue
        if not quoted and char == ",":
            column, length = column + 1, 0
            continue
        length += 1
        if length > limit:
            return column
    return None


def _check_header(header, questions):
    if tuple(header[: len(FIXED_COLUMNS)]) != FIXED_COLUMNS:
        raise ImportRejected([f"line 1: the header must start with {','.join(FIXED_COLUMNS)}"])
    codes = {q.code for q in questions}
    rest = header[len(FIXED_COLUMNS) :]
    unknown = [c for c in rest if c not in codes]
    if unknown:
        raise ImportRejected([f"line 1: column {unknown[0]!r} is not a question of this survey"])
    twice = sorted({c for c in rest if rest.count(c) > 1})
    if twice:
        raise ImportRejected([f"line 1: column {twice[0]!r} appears twice"])


def _check_row(survey, header, values, questions, multi, units):
    problems = []
    if len(values) != len(header):
        return [f"{len(values)} values for {len(header)} columns"], {}
    # The export's apostrophe before a formula's first character comes off; control
    # characters are never kept.
    cells = dict(zip(header, (strip_control(csv_value(v)).strip() for v in values), strict=True))
    uid = cells["submission_uid"]
    if not uid or len(uid) > 36:
        problems.append("submission_uid: missing or longer than 36 characters")
    unit_code = cells["unit"]
    if unit_code and unit_code not in units:
        problems.append(f"unit: no village with code {unit_code!r}")
    submitted_at = _timestamp(cells["submitted_at"], problems)
    channel = cells["channel"] or "import"
    if channel not in CHANNELS:
        problems.append(f"channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    lang = cells["lang"] or "vi"
    if lang not in survey.languages:
        problems.append(f"lang: {lang!r} is not a language of this survey")
    raw = {
        code: (value.split("|") if code in multi else value)
        for code, value in cells.items()
        if code not in FIXED_COLUMNS
    }
    answers, answer_errors = check_answers(questions, raw)
    for code, message in answer_errors.items():
        given = cells.get(code, "")
        problems.append(f"{code}: {given!r}: {message}" if given else f"{code}: {message}")
    row = {
        "submission_uid": uid,
        "unit_id": units.get(unit_code),
        "submitted_at": submitted_at,
        "channel": channel,
        "lang": lang,
        "answers": answers,
        "answers_digest": answers_digest(answers),
    }
    return problems, row


def _timestamp(text, problems):
    if not text:
        return datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        problems.append(f"submitted_at: {text!r} is not a date and time like 2025-10-12T09:30")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=COMMUNE_TIME)  # paper forms carry the commune's local time
    return value.astimezone(timezone.utc)


def _write(survey, rows):
    if not rows:
        return
    conn = db.session.connection()
    questions = {q.code: q for q in survey.questions}
    kinds = {code: q.kind for code, q in questions.items()}
    response_rows = []
    for row in rows:
        response_rows.append(
            {
                "commune_id": survey.commune_id,
                "survey_id": survey.id,
                "unit_id": row["unit_id"],
                "submission_uid": uid_digest(row["submission_uid"]),
                "receipt_attempt": None,  # nobody to hand a receipt to
                "answers_digest": row["answers_digest"],
                "channel": row["channel"],
                "lang": row["lang"],
                "sheet_no": None,
                "submitted_at": row["submitted_at"],
                "duration_s": None,
                "uniform_likert": uniform_likert(row["answers"], kinds),
            }
        )
    ids = insert_rows(conn, Response.__table__, response_rows, return_ids=True)
    plain, texts = [], []
    for response_id, row in zip(ids, rows, strict=True):
        for question, answer in long_format(response_id, row["answers"], questions):
            if question.kind == "text":
                texts.append((question, row, answer))
            else:
                plain.append(answer)
    insert_rows(conn, Answer.__table__, plain)
    by_id = {q.id: q for q in questions.values()}
    sums = criterion_rows(plain, by_id, dict(zip(ids, response_rows, strict=True)))
    insert_rows(conn, ResponseCriterion.__table__, sums)
    text_ids = insert_rows(conn, Answer.__table__, [t[2] for t in texts], return_ids=True)
    items = [
        feedback_row(q, answer_id, answer["text"], survey, row["unit_id"], row["submitted_at"])
        for answer_id, (q, row, answer) in zip(text_ids, texts, strict=True)
    ]
    insert_rows(conn, FeedbackItem.__table__, [item for item in items if item])
