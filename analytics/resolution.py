"""The resolution's tasks and solutions (Nghị quyết, III.1–III.7), judged on a year's Evaluation
JSON for the yearly report on carrying it out (IV.2).

Each task names the criteria and Quy định 366 conditions that show it: it is carried out when
every rated organization meets them all, not carried out when one misses one, and not judged
when an organization has no figures for one (that organization is named). A task without such
such criterion (III.7, the heads' rating) is judged on the heads the JSON lists: carried out
when every organization's heads are rated and none above its organization, not judged while a
head's rating is not decided or none is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.targets import Shortfall


@dataclass(frozen=True)
class ResolutionTask(Shortfall):
    """One of the resolution's tasks: its number, its words, what shows it, who falls short."""

    number: int
    label_vi: str
    label_en: str
    criteria: tuple[str, ...]  # criterion codes of the rule set
    conditions: tuple[str, ...]  # Quy định 366 condition codes
    missed: tuple[str, ...] = ()  # organization codes short of one of them
    unknown: tuple[str, ...] = ()  # organization codes without the figures


# number, the task in short (Vietnamese, English), criteria, conditions
TASKS = (
    (
        1,
        "Xác định đổi mới nội dung, phương thức hoạt động là nhiệm vụ trọng tâm, thường xuyên; "
        "thực hiện theo chương trình hành động, kế hoạch công tác hằng năm",
        "Renewing content and methods as a central, constant task, carried out through each "
        "year's action programme and work plan",
        ("meetings", "remediation"),
        (),
    ),
    (
        2,
        "Củng cố, kiện toàn tổ chức bộ máy; duy trì nề nếp giao ban, sơ kết, tổng kết; phát "
        "triển hội viên, đoàn viên",
        "Strengthening the organizations; regular briefings and reviews; developing members",
        ("member_development", "unity"),
        (),
    ),
    (
        3,
        "Duy trì sinh hoạt theo Điều lệ; nắm chắc tình hình nhân dân, chăm lo giải quyết những "
        "vấn đề dân sinh bức xúc",
        "Meeting as the charters require; knowing the people's situation and caring for their "
        "pressing concerns",
        ("attendance", "feedback_answered", "satisfaction"),
        (),
    ),
    (
        4,
        "Nâng cao chất lượng các cuộc vận động, phong trào thi đua yêu nước, hướng về địa bàn "
        "thôn, làng",
        "Better campaigns and emulation movements, turned towards the villages",
        ("campaigns",),
        (),
    ),
    (
        5,
        "Thực hiện tốt giám sát, phản biện xã hội; tiếp xúc, đối thoại, tiếp xúc cử tri",
        "Social supervision and criticism; dialogues and meetings with voters",
        ("supervision", "recommendations", "dialogue", "supervision_quality"),
        (),
    ),
    (
        6,
        "Ký kết, thực hiện chương trình phối hợp rõ người, rõ việc, rõ thời gian, tiến độ; định "
        "kỳ đánh giá kết quả phối hợp",
        "Coordination programmes with clear people, tasks, deadlines and progress, reviewed "
        "regularly",
        (),
        ("tasks_on_time",),
    ),
    (
        7,
        "Đánh giá, xếp loại người đứng đầu, cấp phó gắn với kết quả của tổ chức",
        "The heads and deputies rated by their organization's results",
        (),
        (),
    ),
)


# The tiers from the highest; "chưa đủ căn cứ" ranks with none.
TIER_RANK = {"xuat_sac": 4, "tot": 3, "hoan_thanh": 2, "khong_hoan_thanh": 1}


def resolution_tasks(document: Mapping) -> tuple[ResolutionTask, ...]:
    """The resolution's seven tasks judged on `document` (the Evaluation JSON of a year).

    Organizations not rated (no evidence at all) count as unknown for every task.

    >>> doc = {"organizations": [
    ...     {"org": "a", "rated": True, "criteria": [{"code": "campaigns", "status": "met"}],
    ...      "conditions": [{"code": "tasks_on_time", "met": False}]},
    ...     {"org": "b", "rated": True, "criteria": [{"code": "campaigns", "status": "missing"}],
    ...      "conditions": [{"code": "tasks_on_time", "met": True}]}]}
    >>> [(t.number, t.met, t.missed, t.unknown) for t in resolution_tasks(doc)][3:6]
    [(4, None, (), ('b',)), (5, None, (), ('a', 'b')), (6, False, ('a',), ())]
    >>> a, b = doc["organizations"]
    >>> a |= {"tier": "hoan_thanh", "heads": [{"tier": "tot", "decided": True}]}
    >>> b |= {"tier": "tot", "heads": [{"tier": "tot", "decided": False}]}
    >>> resolution_tasks(doc)[6]
    ResolutionTask(number=7, ..., missed=('a',), unknown=('b',))
    """
    judged = []
    organizations = list(document["organizations"])
    for number, label_vi, label_en, criteria, conditions in TASKS:
        missed, unknown = [], []
        for organization in organizations:
            if number == 7:
                verdicts = [_heads_verdict(organization)]
            else:
                verdicts = _verdicts(organization, criteria, conditions)
            if False in verdicts:
                missed.append(organization["org"])
            elif None in verdicts:
                unknown.append(organization["org"])
        judged.append(
            ResolutionTask(
                number, label_vi, label_en, criteria, conditions, tuple(missed), tuple(unknown)
            )
        )
    return tuple(judged)


def _verdicts(organization, criteria, conditions):
    """Met (True), missed (False) or unknown (None) for each criterion and condition."""
    if not organization.get("rated", True):
        return [None] if criteria or conditions else []
    found = {c["code"]: c for c in organization.get("criteria", ())}
    verdicts = []
    for code in criteria:
        status = found.get(code, {}).get("status")
        verdicts.append({"met": True, "not_met": False}.get(status))
    held = {c["code"]: c for c in organization.get("conditions", ())}
    verdicts.extend(held.get(code, {}).get("met") for code in conditions)
    return verdicts


def _heads_verdict(organization):
    """Task 7 for one organization: its heads all rated, none above it (True); one above it
    (False); a head not decided, none recorded, or the organization not rated (None)."""
    heads = organization.get("heads") or ()
    if not heads or not organization.get("rated", True):
        return None
    if any(TIER_RANK.get(h["tier"], 0) > TIER_RANK.get(organization["tier"], 0) for h in heads):
        return False
    return True if all(h["decided"] for h in heads) else None
