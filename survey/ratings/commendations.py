"""The year's list of proposed commendations (Nghị quyết, IV.2).

The shortlist comes from the decided ratings, this year's and last year's, under the rule
set's grounds (analytics.commendations): a proposal with its evidence. The Youth Union's
executive committee (the organization marked `leads_commendations`) and the office put entries
on the list, remove them, and confirm the list as a whole; any change after confirming asks
for confirming again. Every change is in the audit log; the year report gives the list.

Services: they change the session and flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from analytics import shortlist
from survey.audit import trail
from survey.core.extensions import db
from survey.models import Commendation, Organization, utcnow

NOTE_LENGTH = 2000


def proposals(document: dict, previous: dict | None, rules) -> list:
    """The rule set's shortlist for the year of `document` (its Evaluation JSON, tiers as
    decided), against last year's (`previous`, or None)."""
    before = {o["org"]: o for o in (previous or {}).get("organizations", ())}
    return list(
        shortlist(
            document["organizations"],
            before,
            excellent=rules.commend_excellent,
            good_and_rising=rules.commend_good_and_rising,
        )
    )


def year_list(year: int) -> list[Commendation]:
    """The year's list, in the order entries were added."""
    return list(
        db.session.scalars(
            sa.select(Commendation)
            .where(Commendation.year == year)
            .order_by(Commendation.id)
            .options(
                selectinload(Commendation.organization), selectinload(Commendation.confirmed_by)
            )
        )
    )


def confirmed(entries) -> bool:
    """Whether the list was confirmed as it stands (and is not empty)."""
    return bool(entries) and all(e.confirmed_at is not None for e in entries)


def _unconfirm(year: int) -> None:
    db.session.execute(
        sa.update(Commendation)
        .where(Commendation.year == year)
        .values(confirmed_at=None, confirmed_by_id=None)
    )


def add(year: int, org: Organization, ground: str, head_name: str, note: str, user):
    """Put an organization (or one of its heads, by name) on the year's list."""
    entry = Commendation(
        year=year,
        organization_id=org.id,
        head_name=(head_name or "").strip()[:120],
        ground=ground,
        note=(note or "").strip()[:NOTE_LENGTH],
        added_by_id=user.id,
    )
    _unconfirm(year)
    db.session.add(entry)
    db.session.flush()
    trail.record(
        "commendation.add",
        f"{org.code}/{year}",
        after={"ground": ground, "name": entry.head_name, "note": entry.note},
    )
    return entry


def remove(entry: Commendation) -> None:
    trail.record(
        "commendation.remove",
        f"{entry.organization.code}/{entry.year}",
        before={"ground": entry.ground, "name": entry.head_name, "note": entry.note},
    )
    _unconfirm(entry.year)
    db.session.delete(entry)
    db.session.flush()


def confirm(year: int, user) -> int:
    """Confirm the year's list as it stands; return how many entries it holds."""
    entries = year_list(year)
    now = utcnow()
    for entry in entries:
        entry.confirmed_at, entry.confirmed_by_id = now, user.id
    trail.record("commendation.confirm", f"commune/{year}", entries=len(entries))
    db.session.flush()
    return len(entries)
