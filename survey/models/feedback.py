"""Feedback items: free-text answers an organization reads, answers and may publish."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, utcnow
from survey.models.commune import Organization, Unit
from survey.models.programmes import Task
from survey.models.surveys import Survey
from survey.models.tenants import CommuneOwned
from survey.models.vocabulary import FEEDBACK_STATUSES


class FeedbackItem(CommuneOwned, db.Model):
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
    # The task it became or was attached to: its progress shows in the public reply.
    task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("task.id", ondelete="SET NULL"), index=True
    )
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
    task: Mapped[Task | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(check_in("status", FEEDBACK_STATUSES), name="status"),
        sa.CheckConstraint("NOT published OR public_reply != ''", name="published_has_reply"),
        sa.Index(None, "organization_id", "status", "received_at"),
        sa.Index(None, "published", "organization_id"),
    )
