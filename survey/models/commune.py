"""The commune's tables: its organizations, its villages and its saved settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey.core.extensions import db
from survey.models.columns import non_negative
from survey.models.tenants import CommuneOwned


class Organization(CommuneOwned, db.Model):
    """The Fatherland Front committee or a socio-political organization of the commune."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique in its commune: every commune has its "nongdan".
    code: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    members_count: Mapped[int] = mapped_column(default=0)
    # The commune's Fatherland Front committee: its standing board reviews the affiliated
    # organizations' self-assessments.
    is_front: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Leads the proposals for commendation (the resolution names the Youth Union's executive
    # committee).
    leads_commendations: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        sa.UniqueConstraint("commune_id", "code"),
        *non_negative("members_count"),
    )

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"


class Unit(CommuneOwned, db.Model):
    """A village (thôn, làng) of the commune."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32))  # unique in its commune
    name: Mapped[str] = mapped_column(sa.String(120))
    adult_population: Mapped[int] = mapped_column(default=0)
    households: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.UniqueConstraint("commune_id", "code"),
        *non_negative("adult_population", "households"),
    )

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class Setting(CommuneOwned, db.Model):
    """A commune setting kept in the database (commune name, district, province, ...)."""

    commune_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="RESTRICT"), primary_key=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
