"""Finalized annual ratings: immutable snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.accounts import User
from survey.models.columns import UTCDateTime, check_in, utcnow
from survey.models.commune import Organization
from survey.models.vocabulary import TIERS


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
        sa.CheckConstraint(check_in("tier", TIERS), name="tier"),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
    )
