"""Storing a response exactly once, with its receipt, answers and feedback items."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from survey.core.bulk import insert_rows
from survey.core.extensions import db
from survey.core.tenancy import across_communes
from survey.models import Answer, FeedbackItem, ReceiptCode, Response, ResponseCriterion, utcnow
from survey.responses.invitations import InvitationRefused, redeem
from survey.responses.submission import answers_digest, derive_receipt, uid_digest, uniform_likert

RECEIPT_ATTEMPTS = 5
RESPONSE_INSERT = Response.__table__.insert().returning(Response.__table__.c.id)


class SubmissionConflict(Exception):
    """The submission_uid was already used for other answers."""


@dataclass(frozen=True)
class Receipt:
    """What the person is told: the receipt code (None on paper and for answers stored before
    receipts were kept apart), and whether this submission stored the response."""

    code: str | None
    created: bool


def submit_response(
    survey,
    answers,
    *,
    submission_uid,
    unit_id=None,
    channel="web",
    lang="vi",
    started_at=None,
    sheet_no=None,
    invitation_code=None,
):
    """Store `answers` (question code -> value) once per submission_uid; return the receipt.

    The same uid with the same answers returns the first receipt and stores nothing; with
    other answers it raises SubmissionConflict. Two simultaneous identical submissions end
    the same way: the database's unique constraint lets exactly one in. With an
    `invitation_code`, the slip is used up in the same transaction (InvitationRefused if it
    is unknown or already used). A web answer gets a receipt code, kept apart from the
    response (ReceiptCode).

    Written inside a savepoint and flushed: the caller (the request, the command) commits,
    then lets a `created` response join its batch (survey.responses.release.release_ready).
    """
    digest = answers_digest(answers)
    uid = uid_digest(submission_uid)
    with_receipt = channel == "web"
    # Insert first and look only when the database refuses: a resend is the rare case.
    for attempt in range(RECEIPT_ATTEMPTS):
        submitted_at = utcnow()
        duration = None
        if started_at is not None:
            duration = max(0, int((submitted_at - started_at).total_seconds()))
        code = _receipt_code(survey.id, submission_uid, attempt) if with_receipt else None
        row = {
            "commune_id": survey.commune_id,
            "survey_id": survey.id,
            "unit_id": unit_id,
            "submission_uid": uid,
            "receipt_attempt": attempt if with_receipt else None,
            "answers_digest": digest,
            "channel": channel,
            "lang": lang,
            "sheet_no": sheet_no,
            "submitted_at": submitted_at,
            "duration_s": duration,
            "uniform_likert": uniform_likert(answers, {q.code: q.kind for q in survey.questions}),
        }
        try:
            # A refused attempt undoes itself only, never what the caller did before.
            with db.session.begin_nested():
                conn = db.session.connection()
                response_id = conn.execute(RESPONSE_INSERT, row).scalar_one()
                _add_answers(survey, response_id, row, answers)
                if code is not None:
                    conn.execute(
                        RECEIPT_INSERT,
                        {"code": code, "survey_id": survey.id, "commune_id": survey.commune_id},
                    )
                if invitation_code is not None:
                    redeem(survey, invitation_code)
        except InvitationRefused:
            # The same form sent again after its slip was used up by its first sending.
            existing = _existing(survey.id, submission_uid, digest)
            if existing is not None:
                return existing
            raise
        except IntegrityError:
            existing = _existing(survey.id, submission_uid, digest)
            if existing is not None:
                return existing
            if code is None or not _receipt_taken(code):
                raise  # refused for another reason (a village just deleted...): say which
            continue  # the receipt code was taken: derive the next one
        return Receipt(code, created=True)
    raise RuntimeError("could not find a free receipt code")


RECEIPT_INSERT = ReceiptCode.__table__.insert()


def _receipt_code(survey_id, submission_uid, attempt):
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return derive_receipt(key, survey_id, submission_uid, attempt)


def _receipt_taken(code):
    """Whether a receipt has this code, in any commune: codes are unique in the deployment
    (a receipt names no commune)."""
    with across_communes():
        return (
            db.session.scalar(sa.select(ReceiptCode.code).where(ReceiptCode.code == code))
            is not None
        )


def _existing(survey_id, submission_uid, digest):
    row = db.session.execute(
        sa.select(Response.receipt_attempt, Response.answers_digest).where(
            Response.survey_id == survey_id,
            Response.submission_uid == uid_digest(submission_uid),
        )
    ).first()
    if row is None:
        return None
    if row.answers_digest != digest:
        raise SubmissionConflict(submission_uid)
    code = None
    if row.receipt_attempt is not None:
        code = _receipt_code(survey_id, submission_uid, row.receipt_attempt)
    return Receipt(code, created=False)


def long_format(response_id, answers, questions):
    """The answer rows of one response: (question, row) pairs, one row per chosen option of a
    multi question. `questions` maps a code to an object with id, kind and option_ids."""
    for code, value in answers.items():
        question = questions[code]
        row = {
            "response_id": response_id,
            "question_id": question.id,
            "kind": question.kind,
            "option_id": None,
            "number": None,
            "text": None,
        }
        if question.kind == "multi":
            for option_code in value:
                yield question, row | {"option_id": question.option_ids[option_code]}
        elif question.kind == "single":
            yield question, row | {"option_id": question.option_ids[value]}
        elif question.kind == "text":
            yield question, row | {"text": value}
        else:
            yield question, row | {"number": value}


def criterion_rows(answer_rows, questions_by_id, responses_by_id):
    """The ResponseCriterion rows of `answer_rows` (long format): per response, criterion tag
    and tagged organization, how many likert answers of each value (n1 to n5).
    `questions_by_id` maps a question id to an object with criterion and organization_id;
    `responses_by_id` a response id to its row (survey_id, unit_id)."""
    counts = {}
    for row in answer_rows:
        question = questions_by_id[row["question_id"]]
        if row["kind"] != "likert5" or question.criterion is None:
            continue
        key = (row["response_id"], question.criterion, question.organization_id)
        counts.setdefault(key, [0] * 5)[int(row["number"]) - 1] += 1
    rows = []
    for (response_id, criterion, organization_id), values in counts.items():
        response = responses_by_id[response_id]
        rows.append(
            {
                "response_id": response_id,
                "survey_id": response["survey_id"],
                "unit_id": response["unit_id"],
                "criterion": criterion,
                "organization_id": organization_id,
                "released": response.get("released", False),
                **{f"n{value}": n for value, n in enumerate(values, 1)},
            }
        )
    return rows


def feedback_row(question, answer_id, text, survey, unit_id, received_at):
    """The inbox row for a free-text answer to a feedback question of `survey`, or None."""
    if question.kind != "text" or not question.feedback or not question.organization_id:
        return None
    return {
        "commune_id": survey.commune_id,
        "organization_id": question.organization_id,
        "survey_id": survey.id,
        "unit_id": unit_id,
        "answer_id": answer_id,
        "text": text,
        "topic": None,
        "status": "new",
        "public_reply": "",
        "published": False,
        "forwarded_to": "",
        "received_at": received_at,
        "forwarded_at": None,
        "answered_at": None,
        "closed_at": None,
        "updated_at": received_at,
    }


def _add_answers(survey, response_id, response, answers):
    questions = {q.code: q for q in survey.questions}
    plain, texts = [], []
    for question, row in long_format(response_id, answers, questions):
        (texts if question.kind == "text" else plain).append((question, row))
    conn = db.session.connection()
    insert_rows(conn, Answer.__table__, [row for _q, row in plain])
    by_id = {q.id: q for q in questions.values()}
    sums = criterion_rows([row for _q, row in plain], by_id, {response_id: response})
    insert_rows(conn, ResponseCriterion.__table__, sums)
    # Only free-text answers need their ids back: feedback items point at them.
    ids = insert_rows(conn, Answer.__table__, [row for _q, row in texts], return_ids=True)
    items = [
        feedback_row(
            q, answer_id, row["text"], survey, response["unit_id"], response["submitted_at"]
        )
        for answer_id, (q, row) in zip(ids, texts, strict=True)
    ]
    insert_rows(conn, FeedbackItem.__table__, [item for item in items if item])
