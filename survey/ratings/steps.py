"""The year's steps before finalization (Hướng dẫn 43-HD/BTCTW): each organization's
self-assessment, the review by the Fatherland Front's standing board (or the office), and the
Standing Committee's decision on its tier.

The computed tier is the proposal. The committee may decide another tier only with a written
reason; the Evaluation JSON then gives both (`computed_tier`, `tier` as decided) and the
`adjustment` with its reason, who and when (`with_steps`). Each step is written in the audit
log. Once an organization's year is finalized its self-assessment and review are closed; a new
decision is still taken (the superior committee may re-rate), with a reason, and counts once
the year is finalized again.

Services: they change the session and flush; the caller commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from analytics import tier_label
from survey.audit import trail
from survey.core.extensions import db
from survey.models import Evaluation, Organization, YearAssessment, utcnow

SELF_FIELDS = ("strengths", "limitations", "causes", "remedies", "proposed_tier")


class StepRefused(ValueError):
    """A step that cannot be taken now; the message is an English reason key."""


def assessments(year: int) -> dict[str, YearAssessment]:
    """The year's steps by organization code."""
    return assessments_of_years([year]).get(year, {})


def assessments_of_years(years) -> dict[int, dict[str, YearAssessment]]:
    """Each of `years`' steps by organization code, read at once."""
    rows = db.session.execute(
        sa.select(Organization.code, YearAssessment)
        .join(Organization, Organization.id == YearAssessment.organization_id)
        .where(YearAssessment.year.in_(years))
    ).all()
    found: dict[int, dict[str, YearAssessment]] = {}
    for code, row in rows:
        found.setdefault(row.year, {})[code] = row
    return found


def _row(org, year) -> YearAssessment:
    row = db.session.scalar(
        sa.select(YearAssessment).where(
            YearAssessment.organization_id == org.id, YearAssessment.year == year
        )
    )
    if row is None:
        row = YearAssessment(organization_id=org.id, year=year)
        db.session.add(row)
    return row


def finalized(org, year) -> bool:
    return (
        db.session.scalar(
            sa.select(Evaluation.id).where(
                Evaluation.organization_id == org.id, Evaluation.year == year
            )
        )
        is not None
    )


def save_self_assessment(org, year: int, fields: dict, user) -> YearAssessment:
    """Record the organization's own review of its year (strengths, limitations, causes,
    remedies, the tier it proposes)."""
    if finalized(org, year):
        raise StepRefused("finalized")
    row = _row(org, year)
    before = {name: getattr(row, name) for name in SELF_FIELDS}
    for name in SELF_FIELDS:
        setattr(row, name, fields.get(name) or ("" if name != "proposed_tier" else None))
    row.self_by_id, row.self_at = user.id, utcnow()
    after = {name: getattr(row, name) for name in SELF_FIELDS}
    trail.record("evaluation.self", f"{org.code}/{year}", before=before, after=after)
    db.session.flush()
    return row


def save_review(org, year: int, text: str, user) -> YearAssessment:
    """Record the review's comments on the organization's year."""
    if finalized(org, year):
        raise StepRefused("finalized")
    row = _row(org, year)
    before = {"review": row.review}
    row.review = text
    row.reviewed_by_id, row.reviewed_at = user.id, utcnow()
    trail.record("evaluation.review", f"{org.code}/{year}", before=before, after={"review": text})
    db.session.flush()
    return row


def decide(org, year: int, tier: str, reason: str, computed_tier: str, user) -> YearAssessment:
    """The Standing Committee's decision: `tier`, against the `computed_tier` proposed; a
    different tier, or any decision on a finalized year (a re-rating), needs a `reason`."""
    reason = (reason or "").strip()
    if (tier != computed_tier or finalized(org, year)) and not reason:
        raise StepRefused("reason needed")
    row = _row(org, year)
    before = {"tier": row.decided_tier, "reason": row.decision_reason}
    row.decided_tier, row.computed_tier = tier, computed_tier
    row.decision_reason = reason
    row.decided_by_id, row.decided_at = user.id, utcnow()
    trail.record(
        "evaluation.decide",
        f"{org.code}/{year}",
        before=before,
        after={"tier": tier, "reason": reason},
        computed=computed_tier,
    )
    db.session.flush()
    return row


def _person(user) -> str | None:
    return None if user is None else (user.full_name or user.username)


def _when(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def with_steps(org: dict, row: YearAssessment | None, lang: str, heads=()) -> dict:
    """One organization's Evaluation JSON entry with its steps: the decided `tier` beside the
    `computed_tier`, the `adjustment` when they differ, the self-assessment, the review, and
    its `heads` (survey.ratings.heads) proposed the organization's tier."""
    entry = _with_decision(org, row, lang)
    rated = org.get("rated", True)
    entry["heads"] = heads_entry(heads, entry["tier"], lang) if rated else []
    return entry


def _with_decision(org: dict, row: YearAssessment | None, lang: str) -> dict:
    computed = org["tier"]
    entry = dict(org)
    entry["computed_tier"] = computed
    entry["decided"] = False
    entry["adjustment"] = None
    entry["self_assessment"] = None
    entry["review"] = None
    if row is None or not org.get("rated", True):
        return entry
    if row.self_at is not None:
        entry["self_assessment"] = {
            "strengths": row.strengths,
            "limitations": row.limitations,
            "causes": row.causes,
            "remedies": row.remedies,
            "proposed_tier": row.proposed_tier,
            "proposed_tier_label": tier_label(row.proposed_tier, lang)
            if row.proposed_tier
            else None,
            "by": _person(row.self_by),
            "at": _when(row.self_at),
        }
    if row.reviewed_at is not None:
        entry["review"] = {
            "text": row.review,
            "by": _person(row.reviewed_by),
            "at": _when(row.reviewed_at),
        }
    if row.decided_tier is not None:
        entry["decided"] = True
        # Decided on a computed tier that the data have moved since: to look at again.
        entry["decision_outdated"] = row.computed_tier != computed
        entry["tier"] = row.decided_tier
        entry["tier_label"] = tier_label(row.decided_tier, lang)
        if row.decided_tier != computed or row.decision_reason:
            entry["adjustment"] = {
                "from": computed,
                "to": row.decided_tier,
                "from_label": tier_label(computed, lang),
                "to_label": tier_label(row.decided_tier, lang),
                "reason": row.decision_reason,
                "by": _person(row.decided_by),
                "at": _when(row.decided_at),
            }
    return entry


def heads_entry(heads, org_tier: str, lang: str) -> list[dict]:
    """The heads as the Evaluation JSON gives them: each proposed the organization's tier."""
    return [
        {
            "id": head.id,
            "name": head.name,
            "position": head.position,
            "proposed_tier": org_tier,
            "proposed_tier_label": tier_label(org_tier, lang),
            "tier": head.decided_tier or org_tier,
            "tier_label": tier_label(head.decided_tier or org_tier, lang),
            "decided": head.decided_tier is not None,
            "reason": head.decision_reason,
            "by": None if head.decided_by is None else head.decided_by.full_name,
            "at": None if head.decided_at is None else head.decided_at.isoformat(),
        }
        for head in heads
    ]
