"""Column types and constraint helpers every table uses: UTC timestamps, CHECK constraints."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and read back timezone-aware on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give timestamps in UTC with tzinfo")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def check_in(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK constraint that holds `column` to one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def non_negative(*columns: str) -> list[sa.CheckConstraint]:
    """CHECK constraints that keep each of `columns` empty or at least zero."""
    return [
        sa.CheckConstraint(f"{c} IS NULL OR {c} >= 0", name=f"{c}_non_negative") for c in columns
    ]
