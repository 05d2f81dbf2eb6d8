"""Reading the audit log: filters, pages, and logged values as short text (the page words
the entries in `survey/admin/audit_words.py`).

Only reads; nothing here (or anywhere) updates or deletes an entry.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from survey.core.extensions import db
from survey.core.local_time import day_start, typed_day
from survey.models import AuditLog

PER_PAGE = 50
# No log is this long; a larger page number would overflow the database's OFFSET.
MAX_PAGE = 1_000_000
# The days a filter can turn into UTC instants: the calendar's first and last cannot.
FIRST_DAY, LAST_DAY = date(1, 1, 2), date(9999, 12, 30)


@dataclass(frozen=True)
class AuditFilter:
    """What to look for: every field is optional; dates are local days, both included."""

    username: str = ""
    action: str = ""
    target: str = ""
    date_from: date | None = None
    date_to: date | None = None


def filter_from_args(args):
    """The filter a query string asks for, and the names of the fields that could not be read.

    Days are typed day first (01/03/2026; ISO is read too); a range whose end comes before
    its start is refused as a whole.
    """
    bad = []
    days = {}
    for name in ("date_from", "date_to"):
        text = (args.get(name) or "").strip()
        try:
            days[name] = typed_day(text) if text else None
            if days[name] is not None and not FIRST_DAY <= days[name] <= LAST_DAY:
                raise ValueError(f"{name}: {text} is out of range")
        except ValueError:
            days[name] = None
            bad.append(name)
    if days["date_from"] and days["date_to"] and days["date_to"] < days["date_from"]:
        bad.append("date_to")
        days["date_to"] = None
    found = AuditFilter(
        username=(args.get("user") or "").strip(),
        action=(args.get("action") or "").strip(),
        target=(args.get("target") or "").strip(),
        **days,
    )
    return found, bad


def entries_query(filters):
    """The SELECT of entries matching `filters`, newest first.

    An action ending with "." is a prefix ("survey." finds survey.create, survey.open, ...);
    otherwise it must match exactly. The target matches anywhere, in any case.
    """
    query = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if filters.username:
        query = query.where(AuditLog.username == filters.username)
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditLog.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditLog.action == filters.action)
    if filters.target:
        query = query.where(
            sa.func.lower(AuditLog.target).contains(filters.target.lower(), autoescape=True)
        )
    if filters.date_from:
        query = query.where(AuditLog.at >= day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditLog.at < day_start(filters.date_to + timedelta(days=1)))
    return query


def search(filters, page=1):
    """One page (PER_PAGE entries) of the entries matching `filters` (Flask-SQLAlchemy page)."""
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(entries_query(filters), page=page, per_page=PER_PAGE, error_out=False)


def usernames():
    """Every name that appears in the log, for the "who" filter."""
    return db.session.scalars(
        sa.select(AuditLog.username).distinct().order_by(AuditLog.username)
    ).all()


def readable(value):
    """A logged value as short text: none as an em dash, yes/no, lists joined, JSON otherwise.

    >>> readable(None), readable(["a", "b"]), readable({"vi": "Xin chào"}), readable(5)
    ('—', 'a, b', '{"vi": "Xin chào"}', '5')
    """
    if value is None or value == "":
        return "—"
    if value is True:
        return _l("yes")
    if value is False:
        return _l("no")
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
