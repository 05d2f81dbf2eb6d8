"""Annual figures: the administrative numbers each organization reports for a year."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, non_negative, utcnow
from survey.models.commune import Organization
from survey.models.tenants import CommuneOwned

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
    "members_disciplined",
)


INDICATOR_RATES = ("attendance_rate", "attendance_target")


class AnnualIndicator(CommuneOwned, db.Model):
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
    # Officers and members disciplined in the year: Quy định 366's top tier needs none.
    members_disciplined: Mapped[int | None]
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
        *non_negative(*INDICATOR_COUNTS),
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
