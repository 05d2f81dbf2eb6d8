"""The audit log: every change a signed-in user makes, with before and after values.

Entries are added in the same transaction as the change they describe, so a change that is
rolled back leaves no entry and a kept change always has one. Nothing updates or deletes them.
"""

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user

from survey.core.extensions import db
from survey.models import AuditLog

# The name written for changes made by `flask ...` commands on the server itself.
COMMAND_LINE = "(command line)"


def record(action, target, *, before=None, after=None, user=None, **details):
    """Add an audit entry for `action` on `target` by `user` (default: the signed-in user).

    `before` and `after` are dicts of plain values; only the fields that differ are kept.
    """
    user = user if user is not None else _signed_in()
    entry_details = {k: _plain(v) for k, v in details.items()}
    if before is not None or after is not None:
        old, new = changed_fields(before or {}, after or {})
        entry_details["before"] = old
        entry_details["after"] = new
    entry = AuditLog(
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else COMMAND_LINE,
        action=action,
        target=str(target)[:200],
        details=entry_details,
    )
    db.session.add(entry)
    return entry


def changed_fields(before, after):
    """The fields whose value differs, as two dicts (before, after).

    >>> changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None})
    ({'b': 2}, {'b': 3})
    """
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return (
        {k: _plain(before.get(k)) for k in keys},
        {k: _plain(after.get(k)) for k in keys},
    )


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def _signed_in():
    if not has_request_context():  # a command: no signed-in user, the entry says so
        return None
    return current_user if current_user.is_authenticated else None
