"""The commune's clock: Vietnam's time (UTC+7, no daylight saving) for what people type and read.

Timestamps are stored in UTC; dates typed on forms and in files, the commune's year and the
days of the audit log's filters are the commune's own.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

COMMUNE_TIME = timezone(timedelta(hours=7), "ICT")

# 1/3/2026, 01/03/2026 07:00, 01-03-2026 7h30: a day as people write it, with an optional time.
TYPED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})(?:[:hH](\d{2})?)?)?\s*")


def typed_moment(text: str, end_of_day: bool = False) -> datetime:
    """A day (and time) as an officer types it, day first, as a naive local datetime.

    A day without a time is its first minute, or its last with `end_of_day`. ISO text
    (2026-03-01, 2026-03-01T07:00: what date inputs send) is read too. ValueError otherwise.

    >>> typed_moment("1/3/2026 7h30"), typed_moment("31/03/2026", end_of_day=True)
    (datetime.datetime(2026, 3, 1, 7, 30), datetime.datetime(2026, 3, 31, 23, 59))
    """
    text = text.strip()
    typed = TYPED.fullmatch(text)
    if typed is None:
        return datetime.fromisoformat(text)
    day, month, year, hour, minute = typed.groups()
    if hour is None and end_of_day:
        hour, minute = 23, 59
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))


def typed_day(text: str) -> date:
    """A day as an officer types it (01/03/2026, or ISO); ValueError otherwise."""
    return typed_moment(text).date()


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
