"""Who to propose for commendation (Nghị quyết, IV.2), from the decided ratings.

The rule set's [commendations] says which grounds count: "xuất sắc" this year; or "tốt" (or
better) this year and last, with the satisfaction of the people rising between the two. Each
heads' rating "xuất sắc" is a ground too. The shortlist is a proposal with its evidence: people
(the Youth Union's executive committee, which the resolution names, and the office) edit and
confirm the list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

GOOD = ("xuat_sac", "tot")


@dataclass(frozen=True)
class Proposal:
    """One organization (or one of its heads) proposed, on one ground, with its evidence."""

    organization: str
    ground: str  # excellent | good_and_rising | head_excellent
    head: str | None = None  # the head's name, for head_excellent
    evidence: Mapping[str, object] = field(default_factory=dict)


def _satisfaction(org: Mapping) -> float | None:
    found = next((c for c in org.get("criteria", ()) if c["code"] == "satisfaction"), None)
    return None if found is None or found["status"] == "insufficient" else found["value"]


def shortlist(
    organizations: Sequence[Mapping],
    previous: Mapping[str, Mapping],
    excellent: bool = True,
    good_and_rising: bool = True,
) -> tuple[Proposal, ...]:
    """The proposals from this year's Evaluation JSON entries (`organizations`, tiers as
    decided) and last year's by organization code (`previous`).

    >>> this = [{"org": "a", "tier": "tot", "criteria": [
    ...     {"code": "satisfaction", "status": "met", "value": 0.8}]}]
    >>> last = {"a": {"org": "a", "tier": "tot", "criteria": [
    ...     {"code": "satisfaction", "status": "met", "value": 0.7}]}}
    >>> [p.ground for p in shortlist(this, last)]
    ['good_and_rising']
    """
    found = []
    for org in organizations:
        if not org.get("rated", True):
            continue
        code, tier = org["org"], org["tier"]
        if excellent and tier == "xuat_sac":
            found.append(Proposal(code, "excellent", evidence={"score": org.get("score")}))
        before = previous.get(code)
        if good_and_rising and tier in GOOD and before is not None and before["tier"] in GOOD:
            now, then = _satisfaction(org), _satisfaction(before)
            if now is not None and then is not None and now > then:
                found.append(
                    Proposal(
                        code,
                        "good_and_rising",
                        evidence={"satisfaction": now, "satisfaction_before": then},
                    )
                )
        for head in org.get("heads", ()):
            if head.get("decided") and head["tier"] == "xuat_sac":
                found.append(
                    Proposal(
                        code, "head_excellent", head=head["name"], evidence={"tier": "xuat_sac"}
                    )
                )
    return tuple(found)
