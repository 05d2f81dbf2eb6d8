"""Responses and their answers, receipts, release batches, the counted criteria and the
single-use invitations of member surveys. No IP address, user agent or account is kept."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, non_negative, utcnow
from survey.models.commune import Unit
from survey.models.surveys import Option, Question, Survey
from survey.models.tenants import CommuneOwned
from survey.models.vocabulary import CHANNELS, RECEIPT_LENGTH


class Response(CommuneOwned, db.Model):
    """One submitted questionnaire. No IP address, user agent, account, receipt or slip.

    What is kept, and why nothing in it leads back to a person (see docs/anonymity.md):
    `submission_uid` is a digest of the form's one-off id, so a resent form is recognised but
    the id itself (which the receipt code is derived from) is not stored; the receipt lives in
    ReceiptCode, unlinked; `released` marks the batch of at least k responses with which the
    response reached figures and exports (survey.responses.release).
    """

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="RESTRICT"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    # SHA-256 of the submission id the form carried (survey.responses.submission.uid_digest).
    submission_uid: Mapped[str] = mapped_column(sa.String(64))
    # Which derivation of the receipt code was free (survey.responses.submission.derive_receipt): a
    # resent form is told the same code. NULL: no receipt (paper, imports, or stored before
    # receipts were kept apart).
    receipt_attempt: Mapped[int | None]
    # Digest of the answers as submitted: a resent form with the same uid and the same answers
    # gets the same receipt; with other answers, a conflict.
    answers_digest: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(8), default="web")
    lang: Mapped[str] = mapped_column(sa.String(8), default="vi")
    # Paper forms: the number written on the sheet, unique within the survey.
    sheet_no: Mapped[str | None] = mapped_column(sa.String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_s: Mapped[int | None]
    # How many likert questions it answered, when every answer was the same; else 0 (the
    # straight-lining check reads it, so the year's answers need not be read again for it).
    uniform_likert: Mapped[int] = mapped_column(default=0, server_default="0")
    # Released with a batch of responses (or its survey closed): only then does it count in
    # results, ratings and exports.
    released: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    survey: Mapped[Survey] = relationship()
    unit: Mapped[Unit | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "submission_uid"),
        sa.UniqueConstraint("survey_id", "sheet_no"),
        sa.CheckConstraint(check_in("channel", CHANNELS), name="channel"),
        sa.CheckConstraint("channel = 'paper' OR sheet_no IS NULL", name="sheet_only_on_paper"),
        sa.CheckConstraint(
            "receipt_attempt IS NULL OR receipt_attempt >= 0", name="receipt_attempt_non_negative"
        ),
        *non_negative("duration_s", "uniform_likert"),
        sa.Index(None, "survey_id", "unit_id", "submitted_at"),
        sa.Index(None, "survey_id", "submitted_at"),
        # The integrity checks: each reads one of these in order, never the table itself.
        sa.Index(None, "survey_id", "duration_s"),
        sa.Index(None, "survey_id", "answers_digest"),
        sa.Index(None, "survey_id", "uniform_likert"),
        # The responses waiting for their batch: counted after every submission.
        sa.Index(
            "ix_response_survey_id_pending",
            "survey_id",
            sqlite_where=sa.text("NOT released"),
            postgresql_where=sa.text("NOT released"),
        ),
    )


class ReceiptCode(CommuneOwned, db.Model):
    """A receipt code given to a person who answered: proof that an answer of theirs to this
    survey was counted, and nothing more. No response, time or order is stored with it (the
    table is keyed by the code alone), so a receipt shown to someone leads to no answers."""

    __tablename__ = "receipt"

    code: Mapped[str] = mapped_column(sa.String(RECEIPT_LENGTH), primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="RESTRICT"))

    __table_args__ = (
        sa.CheckConstraint(f"length(code) = {RECEIPT_LENGTH}", name="code_length"),
        # SQLite would otherwise keep its rows in the order they were written.
        {"sqlite_with_rowid": False},
    )


class ReleaseBatch(CommuneOwned, db.Model):
    """One batch of a survey's responses released to figures and exports together."""

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    responses: Mapped[int]

    __table_args__ = (
        sa.CheckConstraint("responses > 0", name="responses_positive"),
        sa.Index(None, "survey_id", "id"),
    )


class Answer(db.Model):
    """One answer in long format: an option (single, multi), a number, or a text."""

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("response.id", ondelete="CASCADE"),
    )
    question_id: Mapped[int]
    # Copied from the question through a composite foreign key, so CHECKs can hold values.
    kind: Mapped[str] = mapped_column(sa.String(8))
    option_id: Mapped[int | None]
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(sa.Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship(viewonly=True)
    option: Mapped[Option | None] = relationship(viewonly=True)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["question_id", "kind"], ["question.id", "question.kind"], ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["option_id", "question_id"], ["option.id", "option.question_id"], ondelete="RESTRICT"
        ),
        sa.CheckConstraint(
            "kind != 'likert5' OR (number IN (1, 2, 3, 4, 5) AND option_id IS NULL)",
            name="likert5_range",
        ),
        sa.CheckConstraint(
            "kind != 'nps' OR (number IN (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AND option_id IS NULL)",
            name="nps_range",
        ),
        sa.CheckConstraint(
            "kind != 'yesno' OR (number IN (0, 1) AND option_id IS NULL)", name="yesno_range"
        ),
        sa.CheckConstraint(
            "kind NOT IN ('single', 'multi') OR option_id IS NOT NULL", name="choice_has_option"
        ),
        sa.CheckConstraint("kind != 'number' OR number IS NOT NULL", name="number_has_number"),
        sa.CheckConstraint("kind != 'text' OR text IS NOT NULL", name="text_has_text"),
        sa.Index(None, "question_id", "option_id"),
        sa.Index(None, "question_id", "number"),
        sa.Index(None, "response_id"),
    )


class ResponseCriterion(db.Model):
    """A response's likert answers to the questions of one criterion tag (and tagged
    organization), counted per value when the response is stored.

    The survey criteria count respondents from these rows, one per respondent and criterion,
    instead of from every answer; answers are never changed once stored, and a question's
    criterion and organization are frozen once it has answers, so the sums stay true.
    """

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("response.id", ondelete="CASCADE"),
    )
    # Copies of the response's, so that counting needs no join to the responses.
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="RESTRICT"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    criterion: Mapped[str] = mapped_column(sa.String(32))
    # The questions' own organization; NULL for questions about every organization the survey
    # evaluates.
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    # A copy of its response's: released with the response's batch.
    released: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # How many of its answers were 1, 2, 3, 4 and 5.
    n1: Mapped[int]
    n2: Mapped[int]
    n3: Mapped[int]
    n4: Mapped[int]
    n5: Mapped[int]

    __table_args__ = (
        sa.CheckConstraint(
            "n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0 "
            "AND n1 + n2 + n3 + n4 + n5 > 0",
            name="counts",
        ),
        sa.Index(None, "survey_id", "criterion"),
        sa.Index(None, "response_id"),
    )


class Invitation(CommuneOwned, db.Model):
    """A single-use slip for a member survey. Nothing links it to the response it enabled."""

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_on: Mapped[date] = mapped_column(sa.Date, default=lambda: utcnow().date())
    # That it was used, never when: a day or time of use would lead, with the slip's village,
    # to the response it enabled.
    used: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    survey: Mapped[Survey] = relationship()
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (sa.Index(None, "survey_id", "unit_id"),)
