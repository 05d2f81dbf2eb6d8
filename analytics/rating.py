"""From criteria to the four-tier annual rating: points, score, tier, vetoes, cap, explanation.

The explanation is a tuple of `Note(code, params)`: what decided the tier, in terms the
survey glue renders in the reader's language. Tier codes follow docs/contract.md#tiers:
xuat_sac, tot, hoan_thanh, khong_hoan_thanh.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from analytics.conditions import Condition, TaskCounts, blocked_tiers, tier_conditions
from analytics.criteria import CATALOG, CriterionValue
from analytics.errors import AnalyticsError
from analytics.rules import RuleSet

TIERS = ("xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh")
# Not a tier: an organization without annual figures for the year is not rated at all, rather
# than rated as failing on the points that happen to exist.
NOT_RATED = "chua_du_can_cu"
TIER_LABELS_VI = {
    "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "tot": "Hoàn thành tốt nhiệm vụ",
    "hoan_thanh": "Hoàn thành nhiệm vụ",
    "khong_hoan_thanh": "Không hoàn thành nhiệm vụ",
    NOT_RATED: "Chưa đủ căn cứ để xếp loại",
}
VETOES = ("discipline", "disunity")
_EPSILON = 1e-9


@dataclass(frozen=True)
class Evidence:
    """What Quy định 366's conditions are judged on beyond the criteria: how many officers and
    members were disciplined (None: not entered), and the year's tasks (None: none recorded)."""

    members_disciplined: int | None = None
    tasks: TaskCounts | None = None


@dataclass(frozen=True)
class Note:
    """One line of an explanation: a code and its parameters."""

    code: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class CriterionResult:
    """A criterion scored against its rule: points out of its (possibly renormalized) weight."""

    code: str
    group: str
    source: str
    value: float | None
    target: float
    ci: tuple[float, float] | None
    n: int | None
    n_eff: float | None
    base_weight: float
    weight: float
    points: float
    status: str  # met | not_met | insufficient
    exceeded: bool
    key: bool
    reason: str | None
    evidence: Mapping[str, object]


@dataclass(frozen=True)
class Rating:
    """One organization's annual rating with everything that explains it."""

    organization: str
    score: float
    tier: str
    criteria: tuple[CriterionResult, ...]
    vetoes: tuple[str, ...]
    borderline: bool
    deciding: str | None
    capped: bool
    notes: tuple[Note, ...]
    conditions: tuple[Condition, ...] = ()

    @property
    def tier_label(self) -> str:
        """The tier in the words of the rating documents."""
        return TIER_LABELS_VI[self.tier]

    @property
    def rated(self) -> bool:
        """Whether there was evidence enough to rate (else the tier is NOT_RATED)."""
        return self.tier != NOT_RATED

    def criterion(self, code: str) -> CriterionResult | None:
        """The scored criterion `code`, or None when the rule set leaves it out."""
        return next((c for c in self.criteria if c.code == code), None)


def score_criteria(
    values: Mapping[str, CriterionValue], rules: RuleSet
) -> tuple[tuple[CriterionResult, ...], float]:
    """Score every criterion of `rules` from `values`; return the results and the total score.

    A survey or inbox criterion without a value, or with n_eff under the rule set's minimum,
    is `insufficient`: under "renormalize" its weight is spread over the others, under "zero"
    it scores 0. An indicator criterion without figures is `missing` and scores 0.
    """
    provisional = []
    for rule in rules.criteria:
        value = values.get(rule.code) or CriterionValue(rule.code, None, reason="missing")
        if value.code != rule.code:
            raise AnalyticsError(f"values[{rule.code!r}] holds criterion {value.code!r}")
        provisional.append((rule, value, _is_insufficient(value, rules)))
    dropped = sum(r.weight for r, _v, out in provisional if out)
    if dropped >= 100 - _EPSILON and rules.insufficient == "renormalize":
        scale = 0.0
    elif rules.insufficient == "renormalize":
        scale = 100 / (100 - dropped)
    else:
        scale = 1.0
    results = []
    for rule, value, out in provisional:
        weight = 0.0 if (out and rules.insufficient == "renormalize") else rule.weight * scale
        if out or value.value is None:
            ratio, points = None, 0.0
        else:
            ratio = value.value / rule.target
            points = 0.0 if ratio < rules.zero_below_share_of_target else weight * min(1.0, ratio)
        if out:
            status = "insufficient"
        elif value.value is None and value.reason == "missing":
            status = "missing"
        else:
            status = "met" if ratio is not None and ratio >= 1 - _EPSILON else "not_met"
        results.append(
            CriterionResult(
                code=rule.code,
                group=rule.group,
                source=CATALOG[rule.code].source,
                value=value.value,
                target=rule.target,
                ci=value.ci,
                n=value.n,
                n_eff=value.n_eff,
                base_weight=rule.weight,
                weight=weight,
                points=points,
                status=status,
                exceeded=ratio is not None and ratio > 1 + _EPSILON,
                key=rule.key,
                reason=value.reason,
                evidence=dict(value.evidence),
            )
        )
    return tuple(results), sum(r.points for r in results)


def _is_insufficient(value: CriterionValue, rules: RuleSet) -> bool:
    if CATALOG[value.code].source in ("indicators", "tasks"):
        return value.value is None and value.reason == "nothing_to_do"
    if value.value is None:
        return True
    return value.n_eff is not None and value.n_eff < rules.min_n_eff


def tier_for(
    score: float,
    results: Sequence[CriterionResult],
    vetoes: Sequence[str],
    rules: RuleSet,
    evidence: Evidence | None = None,
) -> tuple[str, tuple[Note, ...]]:
    """The tier a score earns given key targets, Quy định 366's conditions (exceeded targets,
    tasks on time, no one disciplined) and vetoes, with the reasons.

    >>> from analytics.rules import load_ruleset
    >>> tier_for(95.0, (), ("discipline",), load_ruleset())[0]
    'khong_hoan_thanh'
    """
    tier, notes, _conditions = judge(score, results, vetoes, rules, evidence or Evidence())
    return tier, notes


def judge(score, results, vetoes, rules, evidence):
    """tier_for's answer with the conditions it was judged on."""
    scored = [r for r in results if r.status != "insufficient"]
    conditions = tier_conditions(
        scored, evidence.members_disciplined, evidence.tasks, rules.xuat_sac_exceeded_share
    )
    on = {
        "targets_exceeded": True,
        "tasks_on_time": rules.tasks_on_time,
        "no_discipline": rules.no_discipline,
    }
    blocked = blocked_tiers(conditions, evidence.tasks, rules.max_late_share, on)
    notes = []
    if vetoes:
        notes.extend(Note("veto", {"veto": v}) for v in vetoes)
        return "khong_hoan_thanh", tuple(notes), conditions
    if score < rules.hoan_thanh - _EPSILON:
        notes.append(Note("score_below", {"score": score, "threshold": rules.hoan_thanh}))
        return "khong_hoan_thanh", tuple(notes), conditions
    if "hoan_thanh" in blocked:
        notes.append(Note("condition_not_met", {"condition": "tasks_late", "tier": "hoan_thanh"}))
        return "khong_hoan_thanh", tuple(notes), conditions
    unmet_keys = [r.code for r in scored if r.key and r.status != "met"]
    if score >= rules.xuat_sac - _EPSILON and not unmet_keys:
        if "xuat_sac" not in blocked:
            note = Note("score_reaches", {"score": score, "tier": "xuat_sac"})
            return "xuat_sac", (note,), conditions
        notes.append(_held_back(blocked["xuat_sac"], conditions, rules))
    if score >= rules.tot - _EPSILON:
        if not unmet_keys and "tot" not in blocked:
            notes.append(Note("score_reaches", {"score": score, "tier": "tot"}))
            return "tot", tuple(notes), conditions
        if unmet_keys:
            # Both upper tiers need every key target met: one note says why neither applies.
            notes.append(Note("key_not_met", {"criteria": unmet_keys, "tier": "tot"}))
        else:
            notes.append(Note("condition_not_met", {"condition": "tasks_on_time", "tier": "tot"}))
    notes.append(Note("score_reaches", {"score": score, "tier": "hoan_thanh"}))
    return "hoan_thanh", tuple(notes), conditions


def _held_back(code, conditions, rules):
    """Why an organization with the points for "xuất sắc" is not rated so."""
    if code == "targets_exceeded":
        share = next(c.value for c in conditions if c.code == code)
        return Note("too_few_exceeded", {"share": share, "needed": rules.xuat_sac_exceeded_share})
    return Note("condition_not_met", {"condition": code, "tier": "xuat_sac"})


def annual_rating(
    organization: str,
    values: Mapping[str, CriterionValue],
    vetoes: Sequence[str],
    rules: RuleSet,
    evidence: Evidence | None = None,
) -> Rating:
    """Rate one organization for a year (before the cap across organizations).

    `borderline` is true when the tier differs with every survey criterion at the low end, or
    at the high end, of its interval; `deciding` names the survey criterion that alone moves
    the tier (the one with the widest swing in points when several do).
    """
    for veto in vetoes:
        if veto not in VETOES:
            raise AnalyticsError(f"vetoes: unknown veto {veto!r} (known: {VETOES})")
    results, score = score_criteria(values, rules)
    figures = [r for r in results if r.source == "indicators"]
    if figures and all(r.status == "missing" for r in figures):
        # No annual figures at all: not enough to rate, whatever the surveys say.
        surveys = [r.code for r in results if r.source != "indicators" and r.status != "met"]
        return Rating(
            organization=organization,
            score=score,
            tier=NOT_RATED,
            criteria=results,
            vetoes=tuple(vetoes),
            borderline=False,
            deciding=None,
            capped=False,
            notes=(Note("not_rated", {"criteria": surveys}),),
        )
    evidence = evidence or Evidence()
    tier, notes, conditions = judge(score, results, vetoes, rules, evidence)
    notes = list(notes)
    insufficient = [r.code for r in results if r.status == "insufficient"]
    if insufficient:
        notes.append(Note(f"insufficient_{rules.insufficient}", {"criteria": insufficient}))
    missing = [r.code for r in results if r.status == "missing"]
    if missing:
        notes.append(Note("figures_missing", {"criteria": missing}))
    borderline, deciding = _borderline(values, vetoes, rules, tier, evidence)
    if borderline:
        notes.append(Note("borderline", {"criterion": deciding}))
    return Rating(
        organization=organization,
        score=score,
        tier=tier,
        criteria=results,
        vetoes=tuple(vetoes),
        borderline=borderline,
        deciding=deciding,
        capped=False,
        notes=tuple(notes),
        conditions=conditions,
    )


def _tier_with(values, vetoes, rules, changes, evidence):
    moved = {code: replace(v, value=changes.get(code, v.value)) for code, v in values.items()}
    results, score = score_criteria(moved, rules)
    return judge(score, results, vetoes, rules, evidence)[0], score


def _borderline(values, vetoes, rules, tier, evidence):
    survey = {
        code: v
        for code, v in values.items()
        if CATALOG[code].source == "survey" and v.ci is not None and rules.criterion(code)
    }
    if not survey:
        return False, None
    low = {code: v.ci[0] for code, v in survey.items()}
    high = {code: v.ci[1] for code, v in survey.items()}
    differs = any(
        _tier_with(values, vetoes, rules, ends, evidence)[0] != tier for ends in (low, high)
    )
    if not differs:
        return False, None
    swings = []
    for code, v in survey.items():
        tiers_and_scores = [
            _tier_with(values, vetoes, rules, {code: end}, evidence) for end in v.ci
        ]
        if any(t != tier for t, _s in tiers_and_scores):
            swing = abs(tiers_and_scores[1][1] - tiers_and_scores[0][1])
            swings.append((swing, code))
    deciding = max(swings)[1] if swings else None
    return True, deciding


def cap_allowed(good: int, share: float, rounding: str, any_excellent: bool = True) -> int:
    """How many organizations may be rated excellent when `good` are rated good or better.

    >>> [cap_allowed(n, 0.2, "down") for n in (3, 5, 12)]
    [0, 1, 2]
    >>> [cap_allowed(n, 0.2, "half_up") for n in (3, 5, 12)]
    [1, 1, 2]
    >>> [cap_allowed(n, 0.2, "at_least_one") for n in (3, 5, 12)]
    [1, 1, 2]
    >>> cap_allowed(3, 0.2, "at_least_one", any_excellent=False)
    0
    """
    exact = share * good
    if rounding == "half_up":
        return math.floor(exact + 0.5 + _EPSILON)
    allowed = math.floor(exact + _EPSILON)
    if rounding == "at_least_one" and any_excellent and good:
        return max(1, allowed)
    return allowed


def apply_cap(ratings: Sequence[Rating], rules: RuleSet) -> tuple[Rating, ...]:
    """Keep "xuất sắc" to at most the rule set's share of those rated "tốt" or above, counted
    as the rule set rounds it (cap_allowed).

    The highest scores keep it (ties broken by organization code, so the result does not depend
    on the order given); the others become "tốt" with a note that says how many were allowed
    and why. When the superior committee applies the cap over its wider group, nothing is
    held back here: each excellent rating says it is a proposal under that quota.

    >>> from analytics.rules import load_ruleset
    >>> apply_cap((), load_ruleset())
    ()
    """
    if not rules.cap_enabled:
        return tuple(ratings)
    if rules.cap_applies_to == "superior":
        note = Note("cap_superior", {"share": rules.cap_share})
        return tuple(
            replace(r, notes=(*r.notes, note)) if r.tier == "xuat_sac" else r for r in ratings
        )
    good = [r for r in ratings if r.tier in ("xuat_sac", "tot")]
    excellent = sorted(
        (r for r in ratings if r.tier == "xuat_sac"), key=lambda r: (-r.score, r.organization)
    )
    allowed = cap_allowed(len(good), rules.cap_share, rules.cap_rounding, bool(excellent))
    demoted = {r.organization for r in excellent[allowed:]}
    params = {
        "share": rules.cap_share,
        "allowed": allowed,
        "good": len(good),
        "exact": rules.cap_share * len(good),
        "rounding": rules.cap_rounding,
        "kept": [r.organization for r in excellent[:allowed]],
    }
    return tuple(
        replace(r, tier="tot", capped=True, notes=(*r.notes, Note("capped", params)))
        if r.organization in demoted
        else r
        for r in ratings
    )
