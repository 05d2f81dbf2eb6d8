"""Coordination programmes (chương trình phối hợp) and their tasks: who does what by when."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, utcnow
from survey.models.commune import Organization

TASK_STATUSES = ("planned", "in_progress", "done", "cancelled")

programme_party = sa.Table(
    "programme_party",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organization_id",
        sa.ForeignKey("organization.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class Programme(db.Model):
    """A coordination programme of a year between organizations (and the commune People's
    Committee): "rõ người, rõ việc, rõ thời gian, tiến độ" (Nghị quyết, III.6)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    topic: Mapped[str] = mapped_column(sa.String(200), default="")
    with_commune_government: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parties: Mapped[list[Organization]] = relationship(secondary=programme_party)
    tasks: Mapped[list[Task]] = relationship(
        back_populates="programme", order_by="Task.due_on", passive_deletes=True
    )

    __table_args__ = (sa.UniqueConstraint("year", "title"),)


class Task(db.Model):
    """A task of a programme: the organization and the person responsible, the due date, its
    state and the day it was done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id", ondelete="RESTRICT"))
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    owner: Mapped[str] = mapped_column(sa.String(160))
    supporting: Mapped[str] = mapped_column(sa.String(300), default="")
    started_on: Mapped[date | None]
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(12), default="planned")
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship(back_populates="tasks")
    organization: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.CheckConstraint(check_in("status", TASK_STATUSES), name="status"),
        sa.CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name="done_has_day"),
        sa.CheckConstraint("status != 'cancelled' OR note != ''", name="cancelled_has_reason"),
        sa.Index(None, "organization_id", "due_on"),
    )
