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
from survey.models.tenants import CommuneOwned
from survey.models.vocabulary import COMMENDATION_GROUNDS, TIERS


class Evaluation(CommuneOwned, db.Model):
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


class YearAssessment(CommuneOwned, db.Model):
    """The steps of one organization's year before finalization (HD 43-HD/BTCTW): its own
    self-assessment, the review of the Fatherland Front's standing board (or the office), and
    the Standing Committee's decision on its tier, each with who and when.

    The computed tier is the proposal; a decided tier that differs from it carries the
    committee's written reason (`decision_reason`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    # Tự đánh giá: strengths, limitations, their causes, remedies; the tier it proposes.
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    limitations: Mapped[str] = mapped_column(sa.Text, default="")
    causes: Mapped[str] = mapped_column(sa.Text, default="")
    remedies: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_tier: Mapped[str | None] = mapped_column(sa.String(20))
    self_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    self_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Thẩm định: the review's comments.
    review: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Quyết định: the tier decided, the tier computed when deciding, and the reason.
    decided_tier: Mapped[str | None] = mapped_column(sa.String(20))
    computed_tier: Mapped[str | None] = mapped_column(sa.String(20))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    self_by: Mapped[User | None] = relationship(foreign_keys=[self_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "year"),
        sa.CheckConstraint(
            f"proposed_tier IS NULL OR {check_in('proposed_tier', TIERS)}", name="proposed_tier"
        ),
        sa.CheckConstraint(
            f"decided_tier IS NULL OR {check_in('decided_tier', TIERS)}", name="decided_tier"
        ),
        sa.CheckConstraint(
            "decided_tier IS NULL OR computed_tier IS NULL OR decided_tier = computed_tier "
            "OR decision_reason != ''",
            name="adjustment_has_reason",
        ),
    )


class OrganizationHead(CommuneOwned, db.Model):
    """A head or deputy of an organization for one year (a name and a position, nothing else
    about the person), and the tier the Standing Committee decided for them: the resolution
    (III.7) ties it to the organization's, so a tier above the organization's needs a reason."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    year: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[str] = mapped_column(sa.String(120))
    decided_tier: Mapped[str | None] = mapped_column(sa.String(20))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            f"decided_tier IS NULL OR {check_in('decided_tier', TIERS)}", name="decided_tier"
        ),
        sa.Index(None, "organization_id", "year"),
    )


class Commendation(CommuneOwned, db.Model):
    """One entry of a year's list of proposed commendations (Nghị quyết, IV.2): an
    organization, or one of its heads by name, on a ground, with the proposers' words. The
    list is confirmed as a whole; any change to it asks for confirming again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    head_name: Mapped[str] = mapped_column(sa.String(120), default="")
    ground: Mapped[str] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    __table_args__ = (
        sa.CheckConstraint(check_in("ground", COMMENDATION_GROUNDS), name="ground"),
        sa.Index(None, "year"),
    )
