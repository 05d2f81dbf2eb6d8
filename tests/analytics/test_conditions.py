"""Quy định 366's tier conditions at their edges: targets exceeded (29% / 30%), one late task,
one disciplined member, and a condition without evidence (reported, holding nothing back)."""

from types import SimpleNamespace

import pytest

from analytics import Evidence, TaskCounts, annual_rating, evaluation_document
from analytics.conditions import tier_conditions
from analytics.report import OrganizationResult
from analytics.rules import load_ruleset
from tests.analytics.test_rating import values_for

RULES = load_ruleset(2025)


def _targets(exceeded, total):
    return [SimpleNamespace(exceeded=i < exceeded) for i in range(total)]


@pytest.mark.parametrize(("exceeded", "total", "met"), [(29, 100, False), (30, 100, True)])
def test_targets_exceeded_at_the_edge(exceeded, total, met):
    condition = tier_conditions(_targets(exceeded, total), 0, None, 0.30)[1]
    assert condition.code == "targets_exceeded" and condition.met is met
    assert condition.value == pytest.approx(exceeded / total)


def test_everything_met_is_excellent_with_every_condition_met():
    evidence = Evidence(members_disciplined=0, tasks=TaskCounts(total=8, done=8, late=0))
    rating = annual_rating("nongdan", values_for(), (), RULES, evidence)
    assert rating.tier == "xuat_sac"
    assert [(c.code, c.met) for c in rating.conditions] == [
        ("tasks_on_time", True),
        ("targets_exceeded", True),
        ("no_discipline", True),
    ]


def test_one_disciplined_member_holds_back_excellent_only():
    rating = annual_rating("nongdan", values_for(), (), RULES, Evidence(members_disciplined=1))
    assert rating.tier == "tot"
    assert ("condition_not_met", "no_discipline") in [
        (n.code, n.params.get("condition")) for n in rating.notes
    ]


@pytest.mark.parametrize(
    ("tasks", "tier"),
    [
        (TaskCounts(total=10, done=10, late=0), "xuat_sac"),
        (TaskCounts(total=10, done=10, late=1), "hoan_thanh"),  # one late: neither upper tier
        (TaskCounts(total=10, done=10, late=2), "hoan_thanh"),  # 20% late: still completed
        (TaskCounts(total=10, done=10, late=3), "khong_hoan_thanh"),  # over 20% late
        (TaskCounts(total=10, done=9, late=0), "khong_hoan_thanh"),  # one task not done
    ],
)
def test_tasks_at_their_edges(tasks, tier):
    evidence = Evidence(members_disciplined=0, tasks=tasks)
    assert annual_rating("nongdan", values_for(), (), RULES, evidence).tier == tier


def test_a_condition_without_evidence_is_reported_and_holds_nothing_back():
    rating = annual_rating("nongdan", values_for(), (), RULES, Evidence())
    assert rating.tier == "xuat_sac"
    org = evaluation_document(2025, RULES, [OrganizationResult("nongdan", "Hội", rating)])[
        "organizations"
    ][0]
    by_code = {c["code"]: c for c in org["conditions"]}
    assert set(by_code) == {"tasks_on_time", "targets_exceeded", "no_discipline"}
    assert by_code["tasks_on_time"]["met"] is None
    explanation = by_code["tasks_on_time"]["explanation"]
    assert explanation == "Chưa ghi nhận nhiệm vụ nào của năm (chưa có căn cứ)."
    assert by_code["no_discipline"]["met"] is None
    assert set(by_code["targets_exceeded"]) == {
        "code",
        "label",
        "met",
        "value",
        "detail",
        "explanation",
    }


def test_the_rule_set_can_switch_a_condition_off():
    rules = load_ruleset(2025, override="[conditions]\nno_discipline = false\n")
    rating = annual_rating("nongdan", values_for(), (), rules, Evidence(members_disciplined=2))
    assert rating.tier == "xuat_sac"  # reported, not applied
    assert next(c for c in rating.conditions if c.code == "no_discipline").met is False
