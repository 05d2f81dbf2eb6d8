"""Quy định 366-QĐ/TW's conditions on the tiers, beside the points.

Each tier needs its points and more: "hoàn thành xuất sắc" every task done on time, at least
30% of the targets exceeded and no one disciplined; "hoàn thành tốt" every task done on time;
"hoàn thành" every task done with at most 20% of them late. The rule set's [conditions] table
says which apply and with what bar (each line citing its source).

A condition is met (True), not met (False) or without evidence (None): no tasks recorded yet,
no discipline figure entered. A condition without evidence is reported as such, and does not
hold a tier back: it is for the committee to weigh, and the decision page names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_EPSILON = 1e-9
CONDITION_CODES = ("tasks_on_time", "targets_exceeded", "no_discipline")


@dataclass(frozen=True)
class TaskCounts:
    """An organization's tasks of the year in its coordination programmes that are due by now
    (cancelled ones left out): how many, how many done, and how many of those done after their
    due date."""

    total: int
    done: int
    late: int

    @property
    def on_time(self) -> int:
        return self.done - self.late


@dataclass(frozen=True)
class Condition:
    """One tier condition: whether it holds, the value it was judged on, and its evidence."""

    code: str
    met: bool | None
    value: float | None
    detail: Mapping[str, object] = field(default_factory=dict)


def tier_conditions(
    scored: Sequence,
    members_disciplined: int | None,
    tasks: TaskCounts | None,
    exceeded_share_needed: float,
) -> tuple[Condition, ...]:
    """The three conditions for one organization: `scored` are its criteria results that count
    (not insufficient); `tasks` None or empty when no task is recorded for the year.

    >>> [c.met for c in tier_conditions((), 0, TaskCounts(3, 3, 0), 0.3)]
    [True, False, True]
    """
    if tasks is None or tasks.total == 0:
        on_time = Condition(
            "tasks_on_time",
            None,
            None,
            {"due": 0, "on_time": 0, "late": 0, "not_done": 0, "done": 0, "late_share": None},
        )
    else:
        on_time = Condition(
            "tasks_on_time",
            tasks.on_time == tasks.total,
            tasks.on_time / tasks.total,
            {
                "due": tasks.total,
                "on_time": tasks.on_time,
                "late": tasks.late,
                "not_done": tasks.total - tasks.done,
                # tasks_done and tasks_late_share: what "hoàn thành" is judged on
                "done": tasks.done,
                "late_share": round(tasks.late / tasks.total, 4),
            },
        )
    exceeded = sum(1 for r in scored if r.exceeded)
    share = exceeded / len(scored) if scored else 0.0
    targets = Condition(
        "targets_exceeded",
        bool(scored) and share >= exceeded_share_needed - _EPSILON,
        share,
        {"exceeded": exceeded, "targets": len(scored), "needed": exceeded_share_needed},
    )
    discipline = Condition(
        "no_discipline",
        None if members_disciplined is None else members_disciplined == 0,
        None if members_disciplined is None else float(members_disciplined),
        {"disciplined": members_disciplined},
    )
    return (on_time, targets, discipline)


def blocked_tiers(
    conditions: Sequence[Condition], tasks: TaskCounts | None, max_late_share: float, rules_on
) -> dict[str, str]:
    """The tiers the conditions hold the organization back from: tier -> the condition's code.
    `rules_on` maps each condition code to whether the rule set applies it."""
    by_code = {c.code: c for c in conditions}
    blocked: dict[str, str] = {}
    if rules_on["targets_exceeded"] and by_code["targets_exceeded"].met is False:
        blocked["xuat_sac"] = "targets_exceeded"
    if rules_on["no_discipline"] and by_code["no_discipline"].met is False:
        blocked.setdefault("xuat_sac", "no_discipline")
    if rules_on["tasks_on_time"] and by_code["tasks_on_time"].met is False:
        blocked.setdefault("xuat_sac", "tasks_on_time")
        blocked["tot"] = "tasks_on_time"
        if tasks is not None and (
            tasks.done < tasks.total or tasks.late > max_late_share * tasks.total + _EPSILON
        ):
            blocked["hoan_thanh"] = "tasks_on_time"
    return blocked


# --- in words: what the Evaluation JSON and the pages say of them ---------------------------

CONDITION_LABELS = {
    "tasks_on_time": {
        "vi": "Mọi nhiệm vụ hoàn thành đúng hạn",
        "en": "Every task done on time",
    },
    "tasks_late": {
        "vi": "Mọi nhiệm vụ hoàn thành, trễ hạn không quá tỷ lệ cho phép",
        "en": "Every task done, no more late than allowed",
    },
    "targets_exceeded": {
        "vi": "Đủ tỷ lệ chỉ tiêu vượt mức",
        "en": "Enough targets exceeded",
    },
    "no_discipline": {
        "vi": "Không có cán bộ, hội viên bị kỷ luật",
        "en": "No officer or member disciplined",
    },
}


def condition_entry(condition: Condition, lang: str = "vi") -> dict:
    """One of Quy định 366's tier conditions as the Evaluation JSON gives it.

    `detail` holds the counts it is judged on (for `tasks_on_time`: due, on_time, late,
    not_done) and `explanation` says them in a sentence of the document's language.

    >>> entry = condition_entry(Condition("no_discipline", None, None, {"disciplined": None}))
    >>> entry["detail"], entry["explanation"]
    ({'disciplined': None}, 'Chưa nhập số cán bộ, hội viên bị kỷ luật trong năm.')
    """
    return {
        "code": condition.code,
        "label": CONDITION_LABELS[condition.code][lang],
        "met": condition.met,
        "value": None if condition.value is None else round(float(condition.value), 4),
        "detail": dict(condition.detail),
        "explanation": _condition_explanation(condition, lang),
    }


def _condition_explanation(condition: Condition, lang: str) -> str:
    d = condition.detail
    vi = lang == "vi"
    if condition.code == "tasks_on_time":
        if not d.get("due"):
            return (
                "Chưa ghi nhận nhiệm vụ nào của năm (chưa có căn cứ)."
                if vi
                else "No task recorded for the year (no evidence yet)."
            )
        if vi:
            return (
                f"{d['on_time']}/{d['due']} nhiệm vụ đến hạn hoàn thành đúng hạn; "
                f"{d['late']} trễ hạn; {d['not_done']} chưa hoàn thành."
            )
        return (
            f"{d['on_time']} of {d['due']} tasks due done on time; {d['late']} late; "
            f"{d['not_done']} not done."
        )
    if condition.code == "targets_exceeded":
        share = _percent(condition.value or 0.0, lang)
        needed = _percent(d["needed"], lang)
        if vi:
            return f"Vượt {d['exceeded']}/{d['targets']} chỉ tiêu ({share}); cần từ {needed}."
        return f"{d['exceeded']} of {d['targets']} targets exceeded ({share}); {needed} needed."
    if d.get("disciplined") is None:
        return (
            "Chưa nhập số cán bộ, hội viên bị kỷ luật trong năm."
            if vi
            else "The number disciplined is not entered."
        )
    n = int(d["disciplined"])
    if vi:
        return "Không ai bị kỷ luật." if n == 0 else f"{n} người bị kỷ luật."
    return "No one disciplined." if n == 0 else f"{n} disciplined."


def _percent(share: float, lang: str) -> str:
    """A share as a percentage with at most one decimal, in the language's style.

    >>> _percent(0.3, "vi"), _percent(0.125, "en")
    ('30%', '12.5%')
    """
    text = f"{100 * share:.1f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if lang == "vi" else text) + "%"
