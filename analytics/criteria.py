"""The evaluation criteria, each computed from plain aggregated rows.

Four sources: the organization's annual figures (`IndicatorRow`), survey answers aggregated
per village (`VillageCounts`), the platform's own feedback inbox (`FeedbackCounts`), and the
coordination programmes' task records (`TaskCounts`, a criterion only when a rule set weights
`tasks_on_time`: the default one holds it as Quy định 366's condition instead). Every
function returns a `CriterionValue`: the achieved value, and for survey criteria its interval
and (effective) sample size. Scoring against targets is analytics.rating's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from analytics.conditions import TaskCounts
from analytics.errors import AnalyticsError
from analytics.stats import (
    poststratification,
    weighted_proportion,
    wilson_interval,
)


@dataclass(frozen=True)
class CriterionInfo:
    """What a criterion measures: its source, and whether its value is a share (0..1)."""

    code: str
    source: str  # indicators | survey | inbox | tasks
    share: bool
    label_vi: str
    label_en: str


CATALOG = {
    info.code: info
    for info in (
        CriterionInfo(
            "meetings",
            "indicators",
            False,
            "Sinh hoạt định kỳ theo Điều lệ",
            "Periodic meetings held as the charter requires",
        ),
        CriterionInfo(
            "remediation",
            "indicators",
            False,
            "Khắc phục hạn chế, khuyết điểm đã chỉ ra",
            "Shortcomings identified earlier that were remedied",
        ),
        CriterionInfo(
            "unity",
            "indicators",
            False,
            "Chấp hành quy định, giữ gìn đoàn kết nội bộ",
            "Compliance with the rules and internal unity",
        ),
        CriterionInfo(
            "member_development",
            "indicators",
            False,
            "Phát triển hội viên, đoàn viên so với chỉ tiêu",
            "New members against the annual target",
        ),
        CriterionInfo(
            "attendance",
            "indicators",
            False,
            "Tỷ lệ hội viên, đoàn viên tham gia sinh hoạt so với chỉ tiêu",
            "Members' attendance at activities against the target",
        ),
        CriterionInfo(
            "campaigns",
            "indicators",
            True,
            "Tỷ lệ hội viên, đoàn viên tham gia các cuộc vận động, phong trào thi đua",
            "Share of members in campaigns and emulation movements",
        ),
        CriterionInfo(
            "supervision",
            "indicators",
            False,
            "Giám sát, phản biện xã hội đã thực hiện so với kế hoạch",
            "Supervision and social criticism done against the plan",
        ),
        CriterionInfo(
            "recommendations",
            "indicators",
            True,
            "Kiến nghị sau giám sát được xem xét, trả lời",
            "Recommendations after supervision that were answered",
        ),
        CriterionInfo(
            "dialogue",
            "indicators",
            False,
            "Tiếp xúc, đối thoại, tiếp xúc cử tri đã tổ chức so với kế hoạch",
            "Dialogues and voter contacts held against the plan",
        ),
        CriterionInfo(
            "satisfaction",
            "survey",
            True,
            "Mức độ hài lòng của Nhân dân, hội viên (khảo sát)",
            "Satisfaction of citizens and members (survey)",
        ),
        CriterionInfo(
            "supervision_quality",
            "survey",
            True,
            "Đánh giá của Nhân dân về giám sát, phản biện xã hội (khảo sát)",
            "Citizens' view of supervision and social criticism (survey)",
        ),
        CriterionInfo(
            "feedback_answered",
            "inbox",
            True,
            "Ý kiến của Nhân dân được trả lời đúng hạn",
            "Feedback answered in time",
        ),
        CriterionInfo(
            "tasks_on_time",
            "tasks",
            True,
            "Nhiệm vụ của chương trình phối hợp hoàn thành đúng hạn",
            "Coordination programme tasks done on time",
        ),
    )
}


@dataclass(frozen=True)
class IndicatorRow:
    """An organization's annual figures, as entered (None = not entered)."""

    members_start: int | None = None
    members_end: int | None = None
    new_members: int | None = None
    new_members_target: int | None = None
    activities_required: int | None = None
    activities_held: int | None = None
    attendance_rate: float | None = None
    attendance_target: float | None = None
    campaign_members: int | None = None
    supervision_planned: int | None = None
    supervision_done: int | None = None
    recommendations_issued: int | None = None
    recommendations_answered: int | None = None
    dialogues_planned: int | None = None
    dialogues_held: int | None = None
    shortcomings_identified: int | None = None
    shortcomings_remedied: int | None = None
    members_disciplined: int | None = None
    veto_discipline: bool | None = None  # None only when no figure at all was entered
    veto_disunity: bool | None = None


@dataclass(frozen=True)
class CriterionValue:
    """A criterion's achieved value with its evidence.

    `value` is None when it cannot be computed (figures missing, nobody answered);
    `reason` then says why: "missing", "nothing_to_do" or "no_answers". Survey criteria carry
    a Wilson interval `ci`, the number of respondents `n` and the effective `n_eff`.
    """

    code: str
    value: float | None
    ci: tuple[float, float] | None = None
    n: int | None = None
    n_eff: float | None = None
    reason: str | None = None
    evidence: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        """indicators, survey or inbox."""
        return CATALOG[self.code].source


def _ratio(code, done, planned, evidence, *, nothing_planned=None):
    if done is None or planned is None:
        return CriterionValue(code, None, reason="missing", evidence=evidence)
    if done < 0 or planned < 0:
        raise AnalyticsError(f"{code}: figures must be non-negative, got {evidence!r}")
    if planned == 0:
        if nothing_planned is None:
            return CriterionValue(code, None, reason="nothing_to_do", evidence=evidence)
        return CriterionValue(code, nothing_planned, reason="nothing_to_do", evidence=evidence)
    return CriterionValue(code, done / planned, evidence=evidence)


def indicator_criteria(
    row: IndicatorRow, dialogues_recorded: bool = False
) -> dict[str, CriterionValue]:
    """Every indicator criterion from one organization's annual figures.

    With `dialogues_recorded`, the row's dialogues planned and held were counted from the
    records of the meetings rather than typed: the dialogue criterion's evidence says which
    (`"source": "records"` or `"typed"`).

    >>> values = indicator_criteria(IndicatorRow(activities_required=12, activities_held=11,
    ...     members_end=200, campaign_members=120))
    >>> round(values["meetings"].value, 4), values["campaigns"].value, values["attendance"].reason
    (0.9167, 0.6, 'missing')
    >>> row = IndicatorRow(dialogues_planned=4, dialogues_held=3)
    >>> indicator_criteria(row, dialogues_recorded=True)["dialogue"].evidence
    {'held': 3, 'planned': 4, 'source': 'records'}
    """
    members = row.members_end if row.members_end is not None else row.members_start
    # No figure at all: nothing was entered for the year, not even that no one was disciplined.
    nothing = all(getattr(row, name) is None for name in row.__dataclass_fields__)
    values = [
        _ratio(
            "meetings",
            row.activities_held,
            row.activities_required,
            {"held": row.activities_held, "required": row.activities_required},
            nothing_planned=0.0,  # nothing required is a charter not followed, not a pass
        ),
        _ratio(
            "remediation",
            row.shortcomings_remedied,
            row.shortcomings_identified,
            {"remedied": row.shortcomings_remedied, "identified": row.shortcomings_identified},
            nothing_planned=1.0,  # nothing was found wanting: nothing left to remedy
        ),
        CriterionValue(
            "unity",
            None if nothing else (0.0 if (row.veto_discipline or row.veto_disunity) else 1.0),
            evidence={"discipline": row.veto_discipline, "disunity": row.veto_disunity},
            reason="missing" if nothing else None,
        ),
        _ratio(
            "member_development",
            row.new_members,
            row.new_members_target,
            {"new_members": row.new_members, "target": row.new_members_target},
            nothing_planned=1.0,  # no target set: nothing to fall short of
        ),
        _ratio(
            "attendance",
            row.attendance_rate,
            row.attendance_target,
            {"rate": row.attendance_rate, "target": row.attendance_target},
        ),
        _ratio(
            "campaigns",
            row.campaign_members,
            members,
            {"campaign_members": row.campaign_members, "members": members},
        ),
        *_supervision_and_dialogue(row, dialogues_recorded),
    ]
    return {v.code: v for v in values}


def _supervision_and_dialogue(row, dialogues_recorded):
    """The criteria of supervision done, recommendations answered and dialogues held, each
    against what was planned or issued (the dialogue's evidence names records when counted
    from them)."""
    dialogue_evidence = {
        "held": row.dialogues_held,
        "planned": row.dialogues_planned,
        "source": "records" if dialogues_recorded else "typed",
    }
    return (
        _ratio(
            "supervision",
            row.supervision_done,
            row.supervision_planned,
            {"done": row.supervision_done, "planned": row.supervision_planned},
            nothing_planned=0.0,  # planning no supervision at all earns nothing
        ),
        _ratio(
            "recommendations",
            row.recommendations_answered,
            row.recommendations_issued,
            {"answered": row.recommendations_answered, "issued": row.recommendations_issued},
        ),
        _ratio(
            "dialogue",
            row.dialogues_held,
            row.dialogues_planned,
            dialogue_evidence,
            nothing_planned=0.0,  # planning no dialogue at all earns nothing
        ),
    )


@dataclass(frozen=True)
class VillageCounts:
    """Per village: respondents, and how many of them answered top-2 (satisfied)."""

    unit: str
    respondents: int
    top2: float


def survey_criterion(
    code: str,
    villages: Sequence[VillageCounts],
    population: Mapping[str, float],
    level: float = 0.95,
) -> CriterionValue:
    """A survey criterion: the top-2 share post-stratified by village adult population.

    Each respondent counts once: `top2` is the respondent's share of top-2 answers over the
    criterion's questions, summed per village. Villages without population figures are left
    out of the weighting and named in the evidence.

    >>> rows = [VillageCounts("a", 30, 24), VillageCounts("b", 10, 5)]
    >>> v = survey_criterion("satisfaction", rows, {"a": 500, "b": 500})
    >>> round(v.value, 4), v.n, round(v.n_eff, 3), [round(x, 3) for x in v.ci]
    (0.65, 40, 30.0, [0.471, 0.795])
    """
    if CATALOG.get(code) is None or CATALOG[code].source != "survey":
        raise AnalyticsError(f"code must be a survey criterion, got {code!r}")
    sample, successes, unweighted = {}, {}, []
    for row in villages:
        if row.respondents < 0 or not 0 <= row.top2 <= row.respondents:
            raise AnalyticsError(f"villages: {row!r} must have 0 <= top2 <= respondents")
        if not row.respondents:
            continue
        if population.get(row.unit):
            sample[row.unit] = sample.get(row.unit, 0) + row.respondents
            successes[row.unit] = successes.get(row.unit, 0) + row.top2
        else:
            unweighted.append(row.unit)
    n = sum(sample.values())
    evidence = {"villages": len(sample), "left_out": sorted(set(unweighted))}
    if n == 0:
        return CriterionValue(code, None, n=0, n_eff=0.0, reason="no_answers", evidence=evidence)
    weighting = poststratification(sample, population)
    share = weighted_proportion(successes, sample, weighting)
    return CriterionValue(
        code,
        share.estimate,
        ci=wilson_interval(share.successes, share.n, level),
        n=n,
        n_eff=weighting.n_eff,
        evidence=evidence,
    )


@dataclass(frozen=True)
class FeedbackCounts:
    """Feedback items received in the year, and how many were answered within the limit."""

    received: int
    answered_in_time: int


def feedback_criterion(counts: FeedbackCounts, level: float = 0.95) -> CriterionValue:
    """The share of the organization's feedback answered in time, with its Wilson interval.

    >>> v = feedback_criterion(FeedbackCounts(received=40, answered_in_time=36))
    >>> v.value, v.n
    (0.9, 40)
    """
    if counts.received < 0 or not 0 <= counts.answered_in_time <= counts.received:
        raise AnalyticsError(f"counts must have 0 <= answered_in_time <= received, got {counts!r}")
    evidence = {"received": counts.received, "answered_in_time": counts.answered_in_time}
    if counts.received == 0:
        return CriterionValue(
            "feedback_answered", None, n=0, reason="no_answers", evidence=evidence
        )
    return CriterionValue(
        "feedback_answered",
        counts.answered_in_time / counts.received,
        ci=wilson_interval(counts.answered_in_time, counts.received, level),
        n=counts.received,
        n_eff=float(counts.received),
        evidence=evidence,
    )


def task_criterion(counts: TaskCounts | None) -> CriterionValue:
    """The share of the organization's tasks due by now that were done by their due date.

    >>> v = task_criterion(TaskCounts(total=4, done=3, late=1))
    >>> v.value, v.n, v.evidence["not_done"]
    (0.5, 4, 1)
    >>> task_criterion(None).reason
    'nothing_to_do'
    """
    counts = counts or TaskCounts(0, 0, 0)
    evidence = {
        "due": counts.total,
        "on_time": counts.on_time,
        "late": counts.late,
        "not_done": counts.total - counts.done,
    }
    if counts.total == 0:
        return CriterionValue("tasks_on_time", None, n=0, reason="nothing_to_do", evidence=evidence)
    return CriterionValue(
        "tasks_on_time", counts.on_time / counts.total, n=counts.total, evidence=evidence
    )
