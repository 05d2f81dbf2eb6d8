"""Officers' accounts (citizens and members never have one) and their sign-ins."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, check_in, utcnow
from survey.models.commune import Organization, Unit
from survey.models.tenants import MaybeCommuneOwned
from survey.models.vocabulary import PROVINCE_ROLES, ROLES


class User(UserMixin, MaybeCommuneOwned, db.Model):
    """A signed-in officer. Citizens and members never have accounts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    # Where the daily reminders of tasks go (`flask tasks digest`); empty: none are sent.
    email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    role: Mapped[str] = mapped_column(sa.String(16))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="RESTRICT"))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session's user id with the sign-in's token (survey/accounts/sign_ins.py):
    # raising it (password change or reset, deactivation) signs the user out everywhere.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(check_in("role", ROLES), name="role"),
        sa.CheckConstraint(
            "role != 'org_officer' OR organization_id IS NOT NULL", name="org_officer_has_org"
        ),
        sa.CheckConstraint(
            "role != 'unit_officer' OR unit_id IS NOT NULL", name="unit_officer_has_unit"
        ),
        # A commune's officer belongs to it; the province's belong to none.
        sa.CheckConstraint(
            f"({check_in('role', PROVINCE_ROLES)}) = (commune_id IS NULL)",
            name="province_role_without_commune",
        ),
    )

    def of_the_province(self) -> bool:
        """Whether this row is the province's own (no commune)."""
        return self.role in PROVINCE_ROLES

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


class SignIn(db.Model):
    """One sign-in of an officer: open until signed out, ended or past the lifetime."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
