"""The province and its communes: the deployment's tenants.

A province hosts its communes in one database. Every row of a commune's data carries its
commune (`CommuneOwned`); the queries are limited to the commune at hand in one place
(`survey.models.scoping`), and on PostgreSQL row-level security is a second wall.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from survey.core.extensions import db
from survey.models.columns import UTCDateTime, utcnow


class Province(db.Model):
    """A province (34 since 1 July 2025): it hosts the deployment."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)


class ProvinceSetting(db.Model):
    """A setting of the whole deployment, the province office's, which every commune reads:
    the province's default rule set (TOML), under which each commune's own changes apply."""

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Commune(db.Model):
    """A commune (xã, phường, đặc khu) of the province: a tenant with its own data."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Short and typed in commands (`--commune hatam`); also the prefix of the demo's survey codes.
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    province_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("province.id", ondelete="RESTRICT")
    )
    # The national administrative unit code (mã đơn vị hành chính), where known.
    national_code: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    # The communes it was merged from on 1 July 2025 (names), so 2023–2025 history reads on.
    merged_from: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)

    province: Mapped[Province | None] = relationship()

    def __repr__(self) -> str:
        return f"<Commune {self.code}>"


class CommuneOwned:
    """A row of one commune's data: every query of it is limited to the commune at hand."""

    @declared_attr
    def commune_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("commune.id", ondelete="RESTRICT"), index=True)


class MaybeCommuneOwned(CommuneOwned):
    """A row that belongs to a commune, or to the province (a province officer, their audit
    entries): the province's rows are seen only across communes."""

    @declared_attr
    def commune_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("commune.id", ondelete="RESTRICT"), index=True)

    def of_the_province(self) -> bool:
        """Whether this row is the province's own (no commune): decided when it is written."""
        return False
