"""The heads and deputies of each organization, and their annual rating (Nghị quyết III.7:
"gắn với kết quả của tổ chức").

Each is recorded per year by name and position only. Their tier is proposed from the
organization's tier (as decided, else as computed); the Standing Committee decides it, and a
tier above the organization's needs a written reason. They are finalized with their
organization: its snapshot keeps them (survey.ratings.steps.with_steps). Every change is in
the audit log.

Services: they change the session and flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from survey.audit import trail
from survey.core.extensions import db
from survey.models import Organization, OrganizationHead, utcnow
from survey.models.vocabulary import TIERS
from survey.ratings.steps import StepRefused, finalized

NAME_LENGTH = 120


def heads_of_year(year: int) -> dict[str, list[OrganizationHead]]:
    """The year's heads and deputies by organization code, in the order they were added."""
    return heads_of_years([year]).get(year, {})


def heads_of_years(years) -> dict[int, dict[str, list[OrganizationHead]]]:
    """heads_of_year of each of `years`, read at once."""
    rows = db.session.execute(
        sa.select(Organization.code, OrganizationHead)
        .join(Organization, Organization.id == OrganizationHead.organization_id)
        .where(OrganizationHead.year.in_(years))
        .order_by(OrganizationHead.id)
    ).all()
    found: dict[int, dict[str, list[OrganizationHead]]] = {}
    for code, head in rows:
        found.setdefault(head.year, {}).setdefault(code, []).append(head)
    return found


def head_of(org, year: int, head_id: int) -> OrganizationHead | None:
    head = db.session.get(OrganizationHead, head_id)
    if head is None or head.organization_id != org.id or head.year != year:
        return None
    return head


def add_head(org, year: int, name: str, position: str) -> OrganizationHead:
    """Record a head or deputy of `org` for `year`."""
    if finalized(org, year):
        raise StepRefused("finalized")
    head = OrganizationHead(
        organization_id=org.id,
        year=year,
        name=name.strip()[:NAME_LENGTH],
        position=position.strip()[:NAME_LENGTH],
    )
    db.session.add(head)
    db.session.flush()
    trail.record("head.add", f"{org.code}/{year}", after={"name": head.name, "job": head.position})
    return head


def remove_head(org, head: OrganizationHead) -> None:
    if finalized(org, head.year):
        raise StepRefused("finalized")
    trail.record(
        "head.remove",
        f"{org.code}/{head.year}",
        before={"name": head.name, "job": head.position},
    )
    db.session.delete(head)
    db.session.flush()


def above(tier: str, other: str) -> bool:
    """Whether `tier` is better than `other`.

    >>> above("xuat_sac", "tot"), above("tot", "tot"), above("hoan_thanh", "tot")
    (True, False, False)
    """
    return TIERS.index(tier) < TIERS.index(other)


def decide_head(org, head: OrganizationHead, tier: str, reason: str, org_tier: str, user):
    """The committee's decision on a head's tier; above the organization's `org_tier`, or on a
    finalized year (a re-rating), only with a reason."""
    reason = (reason or "").strip()
    if (above(tier, org_tier) or finalized(org, head.year)) and not reason:
        raise StepRefused("head reason needed")
    before = {"tier": head.decided_tier, "reason": head.decision_reason}
    head.decided_tier, head.decision_reason = tier, reason
    head.decided_by_id, head.decided_at = user.id, utcnow()
    trail.record(
        "head.decide",
        f"{org.code}/{head.year}",
        before=before,
        after={"tier": tier, "reason": reason},
        name=head.name,
    )
    db.session.flush()
