"""Paper entry: the first typing of double-entered sheets, and who typed how fast."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, non_negative, utcnow
from survey.models.commune import Unit
from survey.models.tenants import CommuneOwned


class PaperEntry(CommuneOwned, db.Model):
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


class PaperTyping(CommuneOwned, db.Model):
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
        *non_negative("sheets", "fast_sheets", "run_sheets"),
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
