"""Surveys, their questions and the options of choice questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, utcnow
from survey.models.commune import Organization
from survey.models.tenants import CommuneOwned
from survey.models.vocabulary import AUDIENCES, QUESTION_KINDS, SURVEY_STATUSES, TOPICS

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


class Survey(CommuneOwned, db.Model):
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
    # The form plays a question's audio by itself when the question comes into view (once the
    # person has pressed play once: browsers allow sound only after a touch).
    audio_autoplay: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
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
        sa.CheckConstraint(check_in("audience", AUDIENCES), name="audience"),
        sa.CheckConstraint(check_in("topic", TOPICS), name="topic"),
        sa.CheckConstraint(check_in("status", SURVEY_STATUSES), name="status"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at", name="dates_in_order"
        ),
        sa.Index(None, "year", "topic"),
    )

    def state(self, now: datetime | None = None) -> str:
        """'open', 'not_yet' (before opens_at) or 'closed' (status closed, or past closes_at)."""
        now = now or utcnow()
        if self.status == "closed" or (self.closes_at and self.closes_at <= now):
            return "closed"
        if self.opens_at and self.opens_at > now:
            return "not_yet"
        return "open"

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
        sa.CheckConstraint(check_in("kind", QUESTION_KINDS), name="kind"),
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


# What a clip may be stored as: MP3 when ffmpeg made it (survey.surveys.audio), else as given.
AUDIO_TYPES = ("audio/mpeg", "audio/mp4", "audio/aac", "audio/ogg", "audio/wav", "audio/webm")
FACES = (1, 2, 3, 4, 5)


class SurveyAudio(CommuneOwned, db.Model):
    """A recording of one text of a survey in one of its languages, for people who read little:
    the survey's title or introduction, a question's text, an option's label, or the words
    under a satisfaction face (the five faces' words are the interface's, so their recordings
    are the survey's, per face).

    The sound itself is kept in the row (a few tens of kilobytes once made small): every host
    of a province reads it, and the database's and a commune's backups carry it. `target`
    names what it speaks ("title", "description", "question:12", "option:40", "face:3"), one
    clip per target and language; `digest` (SHA-256 of `data`) names the clip in its address,
    so browsers may keep it for good; `text_digest` is the digest of the text when the clip
    was attached, so the builder can say which clips no longer match their text. A clip carries
    no personal data.
    """

    __tablename__ = "survey_audio"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("option.id", ondelete="CASCADE"), index=True
    )
    face: Mapped[int | None] = mapped_column(sa.SmallInteger)
    target: Mapped[str] = mapped_column(sa.String(24))
    lang: Mapped[str] = mapped_column(sa.String(8))
    content_type: Mapped[str] = mapped_column(sa.String(16))
    size: Mapped[int]
    digest: Mapped[str] = mapped_column(sa.String(64))
    text_digest: Mapped[str] = mapped_column(sa.String(64), default="")
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("survey_id", "target", "lang"),
        sa.CheckConstraint(check_in("content_type", AUDIO_TYPES), name="content_type"),
        sa.CheckConstraint("size > 0", name="size_positive"),
        sa.CheckConstraint(
            "(question_id IS NOT NULL AND option_id IS NULL AND face IS NULL)"
            " OR (question_id IS NULL AND option_id IS NOT NULL AND face IS NULL)"
            " OR (question_id IS NULL AND option_id IS NULL AND face BETWEEN 1 AND 5)"
            " OR (question_id IS NULL AND option_id IS NULL AND face IS NULL"
            " AND target IN ('title', 'description'))",
            name="one_target",
        ),
    )

    def __repr__(self) -> str:
        return f"<SurveyAudio {self.target} {self.lang}>"
