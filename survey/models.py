"""The data model (DESIGN.md "Data"): SQLAlchemy 2.0 typed models, singular names.

Enumerations are strings held by CHECK constraints (no PostgreSQL ENUM types to migrate).
Public and member responses carry no IP address, user agent or account.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.extensions import db

ROLES = ("admin", "committee", "inspector", "org_officer", "unit_officer")
AUDIENCES = ("public", "member")
TOPICS = ("satisfaction", "participation", "supervision", "other")
SURVEY_STATUSES = ("draft", "open", "closed")
QUESTION_KINDS = ("likert5", "single", "multi", "yesno", "number", "nps", "text")
CHANNELS = ("web", "paper", "import")
FEEDBACK_STATUSES = ("new", "in_progress", "forwarded", "answered", "closed")
TIERS = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 8


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and read back timezone-aware on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give timestamps in UTC with tzinfo")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _non_negative(*columns: str) -> list[sa.CheckConstraint]:
    return [
        sa.CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"{c}_non_negative") for c in columns
    ]


# --- the commune -----------------------------------------------------------------------------


class Organization(db.Model):
    """The Fatherland Front committee or a socio-political organization of the commune."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    members_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = tuple(_non_negative("members_count"))

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"


class Unit(db.Model):
    """A village (thôn, làng) of the commune."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    adult_population: Mapped[int] = mapped_column(default=0)
    households: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = tuple(_non_negative("adult_population", "households"))

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    """A signed-in officer. Citizens and members never have accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    role: Mapped[str] = mapped_column(sa.String(16))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session's user id with the sign-in's token (survey/sign_ins.py): raising it
    # (password change or reset, deactivation) signs the user out everywhere.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="role"),
        sa.CheckConstraint(
            "role != 'org_officer' OR organization_id IS NOT NULL", name="org_officer_has_org"
        ),
        sa.CheckConstraint(
            "role != 'unit_officer' OR unit_id IS NOT NULL", name="unit_officer_has_unit"
        ),
    )

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password, never the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's session id: the user id, session version and sign-in token."""
        return f"{self.id}.{self.session_version}.{getattr(self, 'sign_in_token', '')}"

    def end_sessions(self) -> None:
        """Sign this user out of every browser (after a password reset or deactivation)."""
        self.session_version = (self.session_version or 0) + 1

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


# --- surveys ---------------------------------------------------------------------------------

survey_organization = sa.Table(
    "survey_organization",
    db.metadata,
    sa.Column("survey_id", sa.ForeignKey("survey.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organization_id",
        sa.ForeignKey("organization.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Survey(db.Model):
    """A questionnaire for the public or for members, in one or more languages."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    description: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    audience: Mapped[str] = mapped_column(sa.String(8))
    topic: Mapped[str] = mapped_column(sa.String(16))
    year: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(8), default="draft")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["vi"])
    # Paper forms count only once a second person has typed the same sheet identically.
    double_entry: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    version: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organizations: Mapped[list[Organization]] = relationship(
        secondary=survey_organization, order_by=Organization.position
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey",
        order_by="Question.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.CheckConstraint(_in("audience", AUDIENCES), name="audience"),
        sa.CheckConstraint(_in("topic", TOPICS), name="topic"),
        sa.CheckConstraint(_in("status", SURVEY_STATUSES), name="status"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="dates_in_order"
        ),
        sa.Index(None, "year", "topic"),
    )

    def text(self, field: str, lang: str) -> str:
        """The title or description in `lang`, falling back to the first language."""
        values = getattr(self, field) or {}
        return values.get(lang) or next(iter(values.values()), "")

    def __repr__(self) -> str:
        return f"<Survey {self.code}>"


class Question(db.Model):
    """One question of a survey; its code is stable inside the survey, so years compare."""

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(8))
    text: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    help: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    criterion: Mapped[str | None] = mapped_column(sa.String(32))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    show_if: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    feedback: Mapped[bool] = mapped_column(default=False)
    min_value: Mapped[float | None]
    max_value: Mapped[float | None]
    max_length: Mapped[int | None]

    survey: Mapped[Survey] = relationship(back_populates="questions")
    organization: Mapped[Organization | None] = relationship()
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "code"),
        # Target of Answer's (question_id, kind) foreign key, which lets the database check
        # answer values by kind and refuse a kind change once answers exist.
        sa.UniqueConstraint("id", "kind"),
        sa.CheckConstraint(_in("kind", QUESTION_KINDS), name="kind"),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value",
            name="bounds_in_order",
        ),
        sa.CheckConstraint("max_length IS NULL OR max_length > 0", name="max_length_positive"),
    )

    @property
    def option_ids(self) -> dict[str, int]:
        """Option code -> option id."""
        return {o.code: o.id for o in self.options}

    def __repr__(self) -> str:
        return f"<Question {self.code} {self.kind}>"


class Option(db.Model):
    """A choice of a single or multi question."""

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    value: Mapped[float | None]
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="options")

    __table_args__ = (
        sa.UniqueConstraint("question_id", "code"),
        # Target of Answer's (option_id, question_id) key: an answer's option is its question's.
        sa.UniqueConstraint("id", "question_id"),
    )


# --- responses -------------------------------------------------------------------------------


class Response(db.Model):
    """One submitted questionnaire. No IP address, user agent, account, receipt or slip.

    What is kept, and why nothing in it leads back to a person (see docs/anonymity.md):
    `submission_uid` is a digest of the form's one-off id, so a resent form is recognised but
    the id itself (which the receipt code is derived from) is not stored; the receipt lives in
    ReceiptCode, unlinked; `released` marks the batch of at least k responses with which the
    response reached figures and exports (survey.release).
    """

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="RESTRICT"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    # SHA-256 of the submission id the form carried (survey.submission.uid_digest).
    submission_uid: Mapped[str] = mapped_column(sa.String(64))
    # Which derivation of the receipt code was free (survey.submission.derive_receipt): a
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
        sa.CheckConstraint(_in("channel", CHANNELS), name="channel"),
        sa.CheckConstraint("channel = 'paper' OR sheet_no IS NULL", name="sheet_only_on_paper"),
        sa.CheckConstraint(
            "receipt_attempt IS NULL OR receipt_attempt >= 0", name="receipt_attempt_non_negative"
        ),
        *_non_negative("duration_s", "uniform_likert"),
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


class ReceiptCode(db.Model):
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


class ReleaseBatch(db.Model):
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


class PaperEntry(db.Model):
    """One typing of a paper sheet, waiting for its second typing (double entry).

    Deleted when the sheet becomes a Response, so nothing ties a response to who typed it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    sheet_no: Mapped[str] = mapped_column(sa.String(32))
    pass_no: Mapped[int]
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "sheet_no", "pass_no"),
        sa.CheckConstraint("pass_no IN (1, 2)", name="pass_no"),
    )


class PaperTyping(db.Model):
    """How many paper sheets one person typed into one survey, how many of them faster than a
    person types, and that person's current run of typing: the minute it began, the minute of
    its latest sheet and its sheets, replaced when the next run begins.

    Counts and two times to the minute, per survey and typist: nothing names a sheet or a
    response, so a typist's work cannot be matched to the answers typed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The typist's full name when last typing: the pages name people, and it outlives the account.
    typist: Mapped[str] = mapped_column(sa.String(120), default="")
    sheets: Mapped[int] = mapped_column(default=0)
    fast_sheets: Mapped[int] = mapped_column(default=0)
    run_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_last_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    run_sheets: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "user_id"),
        *_non_negative("sheets", "fast_sheets", "run_sheets"),
    )


class FastSheet(db.Model):
    """A paper sheet counted from a typing faster than a person types: the integrity checks
    flag its response. It names the sheet only (its number in its survey), never who typed it
    or when."""

    survey_id: Mapped[int] = mapped_column(primary_key=True)
    sheet_no: Mapped[str] = mapped_column(sa.String(32), primary_key=True)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["survey_id", "sheet_no"],
            ["response.survey_id", "response.sheet_no"],
            ondelete="CASCADE",
        ),
    )


class Invitation(db.Model):
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


# --- annual figures, feedback, evaluations -----------------------------------------------------

INDICATOR_COUNTS = (
    "members_start",
    "members_end",
    "new_members",
    "new_members_target",
    "activities_required",
    "activities_held",
    "campaign_members",
    "supervision_planned",
    "supervision_done",
    "recommendations_issued",
    "recommendations_answered",
    "dialogues_planned",
    "dialogues_held",
    "shortcomings_identified",
    "shortcomings_remedied",
)
INDICATOR_RATES = ("attendance_rate", "attendance_target")


class AnnualIndicator(db.Model):
    """An organization's administrative figures for one year, as the rule set needs them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    members_start: Mapped[int | None]
    members_end: Mapped[int | None]
    new_members: Mapped[int | None]
    new_members_target: Mapped[int | None]
    activities_required: Mapped[int | None]
    activities_held: Mapped[int | None]
    # Mean share of members attending periodic activities, and its target: proportions 0..1.
    attendance_rate: Mapped[float | None]
    attendance_target: Mapped[float | None]
    campaign_members: Mapped[int | None]
    supervision_planned: Mapped[int | None]
    supervision_done: Mapped[int | None]
    recommendations_issued: Mapped[int | None]
    recommendations_answered: Mapped[int | None]
    dialogues_planned: Mapped[int | None]
    dialogues_held: Mapped[int | None]
    shortcomings_identified: Mapped[int | None]
    shortcomings_remedied: Mapped[int | None]
    # Vetoes recorded by the committee: a breach of discipline, or internal disunity.
    veto_discipline: Mapped[bool] = mapped_column(default=False)
    veto_disunity: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year"),
        *_non_negative(*INDICATOR_COUNTS),
        *(
            sa.CheckConstraint(f"{c} IS NULL OR ({c} >= 0 AND {c} <= 1)", name=f"{c}_proportion")
            for c in INDICATOR_RATES
        ),
        sa.CheckConstraint(
            "recommendations_answered IS NULL OR recommendations_issued IS NULL"
            " OR recommendations_answered <= recommendations_issued",
            name="answered_within_issued",
        ),
        sa.CheckConstraint(
            "shortcomings_remedied IS NULL OR shortcomings_identified IS NULL"
            " OR shortcomings_remedied <= shortcomings_identified",
            name="remedied_within_identified",
        ),
    )


class FeedbackItem(db.Model):
    """A free-text answer addressed to an organization, and what the organization did about it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id", ondelete="SET NULL"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    answer_id: Mapped[int | None] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("answer.id", ondelete="SET NULL"),
        unique=True,
    )
    text: Mapped[str] = mapped_column(sa.Text)
    topic: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    public_reply: Mapped[str] = mapped_column(sa.Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    forwarded_to: Mapped[str] = mapped_column(sa.String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    unit: Mapped[Unit | None] = relationship()
    survey: Mapped[Survey | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(_in("status", FEEDBACK_STATUSES), name="status"),
        sa.CheckConstraint("NOT published OR public_reply != ''", name="published_has_reply"),
        sa.Index(None, "organization_id", "status", "received_at"),
        sa.Index(None, "published", "organization_id"),
    )


class Evaluation(db.Model):
    """The finalized annual rating of an organization: an immutable snapshot."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    score: Mapped[float]
    tier: Mapped[str] = mapped_column(sa.String(20))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    ruleset_name: Mapped[str] = mapped_column(sa.String(64))
    ruleset_text: Mapped[str] = mapped_column(sa.Text)
    data_digest: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    finalized_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    finalized_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    finalized_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year"),
        sa.CheckConstraint(_in("tier", TIERS), name="tier"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )


class AuditLog(db.Model):
    """Who changed what, when: appended to, never edited."""

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # Kept as text too, so the log still names the person after the account is removed.
    username: Mapped[str] = mapped_column(sa.String(64), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class Setting(db.Model):
    """A commune setting kept in the database (commune name, district, province, ...)."""

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
