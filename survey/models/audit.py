"""The audit log: appended to, never edited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, utcnow
from survey.models.tenants import MaybeCommuneOwned


class AuditLog(MaybeCommuneOwned, db.Model):
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
