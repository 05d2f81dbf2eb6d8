"""The commune's clock: Vietnam's time (UTC+7, no daylight saving) for what people type and read.

Timestamps are stored in UTC; dates typed on forms and in files, the commune's year and the
days of the audit log's filters are the commune's own.
"""

from datetime import date, datetime, time, timedelta, timezone

COMMUNE_TIME = timezone(timedelta(hours=7), "ICT")


def current_year() -> int:
    """The year now in the commune."""
    return datetime.now(COMMUNE_TIME).year


def day_start(day: date) -> datetime:
    """The UTC instant at which `day` begins in the commune.

    >>> day_start(date(2025, 1, 1)).isoformat()
    '2024-12-31T17:00:00+00:00'
    """
    return datetime.combine(day, time.min, tzinfo=COMMUNE_TIME).astimezone(timezone.utc)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The commune's `year` as a UTC interval [1 January, next 1 January)."""
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
