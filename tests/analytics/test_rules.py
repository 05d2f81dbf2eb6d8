"""Rule sets: the default, a commune's override, per-year tables, and precise errors."""

import pytest

from analytics.errors import AnalyticsError
from analytics.rules import default_text, load_ruleset


def test_default_rule_set_has_the_national_shape():
    rules = load_ruleset(2025)
    general = sum(c.weight for c in rules.criteria if c.group == "general")
    results = sum(c.weight for c in rules.criteria if c.group == "results")
    assert (general, results) == (30, 70)
    assert (rules.xuat_sac, rules.tot, rules.hoan_thanh) == (90, 70, 50)
    assert rules.criterion("campaigns").target == 0.5  # the resolution's own 50%
    assert rules.cap_enabled and rules.cap_share == 0.2
    # The strict reading by default: "không vượt quá" 20%, counted in the commune.
    assert (rules.cap_rounding, rules.cap_applies_to) == ("down", "commune")
    assert rules.min_n_eff == 30 and rules.insufficient == "renormalize"


def test_every_number_in_the_default_carries_a_comment():
    # Each [[criteria]] block cites its source in a comment line.
    blocks = default_text().split("[[criteria]]")[1:]
    assert len(blocks) == len(load_ruleset().criteria)
    for block in blocks:
        assert "\n#" in block, block


def test_override_changes_numbers_without_code():
    override = """
name = "ha-tam-2025"
[tiers]
tot = 75
[[criteria]]
code = "satisfaction"
weight = 10
[[criteria]]
code = "feedback_answered"
weight = 10
"""
    rules = load_ruleset(2025, override)
    assert rules.name == "ha-tam-2025"
    assert rules.tot == 75 and rules.xuat_sac == 90
    assert rules.criterion("satisfaction").weight == 10
    assert rules.criterion("satisfaction").target == 0.7  # untouched keys stay
    assert "ha-tam-2025" in rules.source


def test_year_table_applies_to_its_year_only():
    override = """
[year.2026.surveys]
min_n_eff = 50
"""
    assert load_ruleset(2026, override).min_n_eff == 50
    assert load_ruleset(2025, override).min_n_eff == 30


def test_weight_zero_leaves_a_criterion_out():
    override = """
[[criteria]]
code = "supervision_quality"
weight = 0
[[criteria]]
code = "satisfaction"
weight = 20
"""
    rules = load_ruleset(2025, override)
    assert rules.criterion("supervision_quality") is None


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            '[[criteria]]\ncode = "happiness"\ngroup = "results"\nweight = 5\ntarget = 1',
            "'happiness': unknown criterion",
        ),
        ('[[criteria]]\ncode = "satisfaction"\nweight = 20', "weights must sum to 100, got 105"),
        ("[tiers]\nhoan_thanh = 75", "must rise: hoan_thanh 75 < tot 70"),
        ("[tiers]\nxuat_sac = 120", "xuat_sac 120 <= 100"),
        ('[surveys]\ninsufficient = "drop"', "surveys.insufficient must be one of"),
        ("[cap]\nxuat_sac_share = 1.5", "cap.xuat_sac_share must be a share"),
        ('[[criteria]]\ncode = "campaigns"\ntarget = 50', "target is a share, must be <= 1"),
        ("[tiers]\nexcellent = 3", "unknown key tiers.excellent"),
        ("[integrity]\nexclude_flagged = 1", "integrity.exclude_flagged must be true or false"),
        ("[integrity]\nleave_out = true", "unknown key integrity.leave_out"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("tiers = [", "not valid TOML"),
    ],
)
def test_bad_rule_sets_are_refused_with_a_precise_message(override, message):
    with pytest.raises(AnalyticsError, match=message.replace("[", r"\[").replace("(", r"\(")):
        load_ruleset(2025, override)


def test_flagged_responses_are_left_out_unless_the_commune_chooses_to_count_them():
    assert load_ruleset(2025).exclude_flagged is True
    assert load_ruleset(2025, "[integrity]\nexclude_flagged = false").exclude_flagged is False
    one_year = "[year.2024.integrity]\nexclude_flagged = false"
    assert load_ruleset(2024, one_year).exclude_flagged is False
    assert load_ruleset(2025, one_year).exclude_flagged is True
