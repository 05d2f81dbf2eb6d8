"""Coordination programmes (chương trình phối hợp) and their tasks: who does what by when."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, non_negative, utcnow
from survey.models.commune import Organization, Unit
from survey.models.tenants import CommuneOwned

TASK_STATUSES = ("planned", "in_progress", "done", "cancelled")
DIALOGUE_KINDS = ("dialogue", "voter_contact")
# What an uploaded piece of evidence may be, by its content (never by its name).
EVIDENCE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")

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


class Programme(CommuneOwned, db.Model):
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

    __table_args__ = (sa.UniqueConstraint("commune_id", "year", "title"),)


class Task(CommuneOwned, db.Model):
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
    notes: Mapped[list[TaskNote]] = relationship(
        back_populates="task", order_by="TaskNote.written_on, TaskNote.id", passive_deletes=True
    )
    evidence: Mapped[list[TaskEvidence]] = relationship(
        back_populates="task", order_by="TaskEvidence.id", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(check_in("status", TASK_STATUSES), name="status"),
        sa.CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name="done_has_day"),
        sa.CheckConstraint("status != 'cancelled' OR note != ''", name="cancelled_has_reason"),
        sa.Index(None, "organization_id", "due_on"),
    )


class TaskNote(CommuneOwned, db.Model):
    """A dated progress note on a task, by the officer who wrote it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    written_on: Mapped[date]
    text: Mapped[str] = mapped_column(sa.Text)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="notes")


class TaskEvidence(CommuneOwned, db.Model):
    """An uploaded file that shows a task's progress or completion: a photo or scanned minutes.

    The file lives under the instance folder by a random name (`stored_name`); `filename` is
    only the name it was uploaded with, shown to readers. `public` is the officer's choice to
    show it beside a published feedback reply.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("task.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    caption: Mapped[str] = mapped_column(sa.String(300), default="")
    public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship(back_populates="evidence")

    __table_args__ = (
        sa.CheckConstraint(check_in("content_type", EVIDENCE_TYPES), name="content_type"),
        sa.CheckConstraint("size > 0", name="size_positive"),
    )


class Dialogue(CommuneOwned, db.Model):
    """A dialogue or voter-contact meeting (Nghị quyết, III.5): planned for a day, then held
    with the people attending; the issues people raised hang from it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(sa.String(16), default="dialogue")
    title: Mapped[str] = mapped_column(sa.String(300))
    held_on: Mapped[date]
    held: Mapped[bool] = mapped_column(default=False)
    # The village it was held in; None: commune-wide.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="SET NULL"))
    organizers: Mapped[str] = mapped_column(sa.String(300), default="")
    leaders_present: Mapped[str] = mapped_column(sa.String(300), default="")
    attending: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    unit: Mapped[Unit | None] = relationship()
    issues: Mapped[list[DialogueIssue]] = relationship(
        back_populates="dialogue", order_by="DialogueIssue.id", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint(check_in("kind", DIALOGUE_KINDS), name="kind"),
        *non_negative("attending"),
        sa.Index(None, "organization_id", "held_on"),
    )


class DialogueIssue(CommuneOwned, db.Model):
    """An issue people raised at a dialogue: answered on the spot, or made a task."""

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("task.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="issues")
    task: Mapped[Task | None] = relationship()
