"""The annual rating: points, renormalization, tiers, vetoes, borderline and the cap.

Expected scores are worked by hand from the default rule set's weights (meetings 10,
remediation 10, unity 10, member_development 10, attendance 10, campaigns 10, supervision 5,
recommendations 5, dialogue 5, satisfaction 15, supervision_quality 5, feedback_answered 5).
"""

from dataclasses import replace

import pytest

from analytics.criteria import (
    CriterionValue,
    FeedbackCounts,
    IndicatorRow,
    feedback_criterion,
    indicator_criteria,
)
from analytics.rating import annual_rating, apply_cap, score_criteria
from analytics.rules import load_ruleset

RULES = load_ruleset(2025)

ALL_MET = IndicatorRow(
    members_start=200,
    members_end=210,
    new_members=12,
    new_members_target=10,  # exceeded
    activities_required=12,
    activities_held=12,
    attendance_rate=0.85,
    attendance_target=0.8,  # exceeded
    campaign_members=150,  # 150/210 = 0.714 of a 0.5 target: exceeded
    supervision_planned=4,
    supervision_done=4,
    recommendations_issued=10,
    recommendations_answered=9,  # 0.9 of 0.8: exceeded
    dialogues_planned=2,
    dialogues_held=2,
    shortcomings_identified=3,
    shortcomings_remedied=3,
)


def survey_value(code, value, n_eff=200.0, ci=None):
    ci = ci or (value - 0.05, value + 0.05)
    return CriterionValue(code, value, ci=ci, n=int(n_eff), n_eff=n_eff)


def values_for(row=ALL_MET, satisfaction=0.8, quality=0.7, feedback=(40, 38)):
    values = indicator_criteria(row)
    values["satisfaction"] = survey_value("satisfaction", satisfaction)
    values["supervision_quality"] = survey_value("supervision_quality", quality)
    values["feedback_answered"] = feedback_criterion(FeedbackCounts(*feedback))
    return values


def test_everything_met_scores_100_and_is_excellent():
    rating = annual_rating("nongdan", values_for(), (), RULES)
    assert rating.score == pytest.approx(100)
    assert rating.tier == "xuat_sac"
    assert rating.tier_label == "Hoàn thành xuất sắc nhiệm vụ"
    assert all(c.status == "met" for c in rating.criteria)


def test_points_are_weight_times_achievement_and_zero_below_half_the_target():
    row = replace(ALL_MET, activities_held=11, campaign_members=40)  # 11/12; 40/210 = 0.19
    results, score = score_criteria(values_for(row), RULES)
    by_code = {r.code: r for r in results}
    assert by_code["meetings"].points == pytest.approx(10 * 11 / 12)
    assert by_code["meetings"].status == "not_met"
    assert by_code["campaigns"].points == 0  # 0.19 / 0.5 = 0.38 < half the target
    assert score == pytest.approx(100 - 10 / 12 - 10)


def test_a_thin_survey_is_insufficient_and_its_weight_spread_over_the_rest():
    values = values_for(satisfaction=0.5)
    values["satisfaction"] = survey_value("satisfaction", 0.5, n_eff=12.0)
    rating = annual_rating("nongdan", values, (), RULES)
    satisfaction = rating.criterion("satisfaction")
    assert satisfaction.status == "insufficient"
    assert satisfaction.weight == 0
    assert rating.criterion("meetings").weight == pytest.approx(10 * 100 / 85)
    assert rating.score == pytest.approx(100)
    assert any(n.code == "insufficient_renormalize" for n in rating.notes)


def test_under_the_zero_policy_a_thin_survey_scores_nothing():
    rules = load_ruleset(2025, '[surveys]\ninsufficient = "zero"')
    values = values_for()
    values["satisfaction"] = survey_value("satisfaction", 0.9, n_eff=12.0)
    rating = annual_rating("nongdan", values, (), rules)
    assert rating.score == pytest.approx(85)
    assert rating.tier == "tot"


def test_a_key_target_missed_keeps_an_organization_out_of_the_top_tiers():
    row = replace(ALL_MET, activities_held=11)  # meetings is a key target
    rating = annual_rating("nongdan", values_for(row), (), RULES)
    assert rating.score == pytest.approx(100 - 10 / 12)
    assert rating.tier == "hoan_thanh"
    key_note = next(n for n in rating.notes if n.code == "key_not_met")
    assert key_note.params["criteria"] == ["meetings"]


def test_excellent_needs_thirty_percent_of_targets_exceeded():
    row = replace(
        ALL_MET,
        new_members=10,
        attendance_rate=0.8,
        campaign_members=105,
        recommendations_answered=8,
    )
    # Now nothing is exceeded: 100 points, every key met, 0% exceeded -> tốt.
    rating = annual_rating(
        "nongdan", values_for(row, satisfaction=0.7, quality=0.6, feedback=(10, 9)), (), RULES
    )
    assert rating.score == pytest.approx(100)
    assert rating.tier == "tot"
    assert any(n.code == "too_few_exceeded" for n in rating.notes)


def test_a_veto_means_not_completed_whatever_the_score():
    row = replace(ALL_MET, veto_disunity=True)
    rating = annual_rating("nongdan", values_for(row), ("disunity",), RULES)
    assert rating.tier == "khong_hoan_thanh"
    assert rating.criterion("unity").points == 0


def test_below_fifty_points_is_not_completed():
    row = IndicatorRow(
        activities_required=12, activities_held=6
    )  # half the meetings, no other figures
    rating = annual_rating(
        "nongdan", values_for(row, satisfaction=0.2, quality=0.1, feedback=(10, 1)), (), RULES
    )
    assert rating.score < 50
    assert rating.tier == "khong_hoan_thanh"
    missing = next(n for n in rating.notes if n.code == "figures_missing")
    assert "attendance" in missing.params["criteria"]


def test_borderline_when_the_survey_interval_crosses_a_tier_and_names_the_criterion():
    row = replace(ALL_MET, dialogues_held=1, supervision_done=2)  # -2.5 -2.5 (not key targets)
    values = values_for(row)
    values["satisfaction"] = survey_value("satisfaction", 0.62, ci=(0.45, 0.74))
    rating = annual_rating("nongdan", values, (), RULES)
    # Point: 100 - 5 - 15*(1 - 0.62/0.7) = 93.29 -> xuất sắc; low end: 95 - 15*(1 - 0.45/0.7)
    # = 89.64 -> tốt.
    assert rating.score == pytest.approx(100 - 5 - 15 * (1 - 0.62 / 0.7))
    assert rating.tier == "xuat_sac"
    assert rating.borderline
    assert rating.deciding == "satisfaction"


def test_not_borderline_when_the_interval_stays_inside_the_tier():
    rating = annual_rating("nongdan", values_for(), (), RULES)
    assert not rating.borderline and rating.deciding is None


def test_the_cap_keeps_excellent_to_twenty_percent_of_good_or_better():
    ratings = [
        annual_rating(code, values_for(satisfaction=s), (), RULES)
        for code, s in (("a", 0.8), ("b", 0.9), ("c", 0.85), ("d", 0.75), ("e", 0.95))
    ]
    assert all(r.tier == "xuat_sac" for r in ratings)
    capped = apply_cap(ratings, RULES)
    # 5 rated tốt or better -> floor(0.2 * 5) = 1 keeps xuất sắc; equal scores (all 100):
    # the organization code breaks the tie.
    assert [r.tier for r in capped] == ["xuat_sac", "tot", "tot", "tot", "tot"]
    assert [r.capped for r in capped] == [False, True, True, True, True]
    assert apply_cap(ratings, load_ruleset(2025, "[cap]\nenabled = false")) == tuple(ratings)


def test_the_cap_prefers_the_higher_score():
    low = annual_rating("a", values_for(row=replace(ALL_MET, supervision_done=3)), (), RULES)
    high = annual_rating("z", values_for(), (), RULES)
    others = [annual_rating(c, values_for(), ("discipline",), RULES) for c in "bcd"]
    others.append(
        annual_rating("y", values_for(row=replace(ALL_MET, activities_held=11)), (), RULES)
    )
    capped = {r.organization: r.tier for r in apply_cap([low, high, *others], RULES)}
    # Good or better: a, z only (the others are vetoed or hoàn thành) -> floor(0.4) = 0.
    assert capped["a"] == "tot" and capped["z"] == "tot"


def test_the_explanation_says_how_many_flagged_responses_were_left_out_or_counted_and_why():
    from analytics.rating import Note
    from analytics.report import FlaggedResponses, note_text

    kinds = (("burst", 24), ("duplicate", 26))
    left_out = FlaggedResponses(30, kinds, excluded=True).notes(("satisfaction",))
    assert [note_text(n) for n in left_out] == [
        "Theo bộ tiêu chí, 30 phiếu bị gắn cờ không được tính vào các tiêu chí khảo sát "
        "(dồn dập từ một thôn: 24; trùng hệt nhau: 26; một phiếu có thể bị nhiều kiểm tra "
        "gắn cờ); kết quả khảo sát tính trên các phiếu còn lại.",
        "Cần xem xét: nếu tính cả các phiếu bị gắn cờ thì kết quả tiêu chí Mức độ hài lòng của "
        "Nhân dân, hội viên (khảo sát) sẽ khác.",
    ]
    counted = FlaggedResponses(50, kinds, excluded=False).notes(())
    assert [note_text(n, "en") for n in counted] == [
        "As the rule set says, 50 flagged responses are counted in the survey criteria "
        "(a burst from one village: 24; identical answers: 26)."
    ]
    assert FlaggedResponses(0, (), excluded=True).notes(()) == []
    assert note_text(Note("flagged_counted", {"count": 100, "kinds": [("paper_fast", 100)]}))


# --- not enough evidence ----------------------------------------------------------------------


def test_no_annual_figures_is_not_rated_rather_than_failing():
    from analytics import evaluation_document
    from analytics.rating import NOT_RATED
    from analytics.report import OrganizationResult

    rating = annual_rating("nongdan", values_for(row=IndicatorRow()), (), RULES)
    assert rating.tier == NOT_RATED and not rating.rated and not rating.borderline
    figures = [c for c in rating.criteria if c.source == "indicators"]
    assert {c.status for c in figures} == {"missing"} and all(c.points == 0 for c in figures)
    assert [n.code for n in rating.notes] == ["not_rated"]
    document = evaluation_document(2025, RULES, [OrganizationResult("nongdan", "Hội", rating)])
    org = document["organizations"][0]
    assert (org["tier"], org["score"], org["rated"]) == (NOT_RATED, None, False)
    assert org["tier_label"] == "Chưa đủ căn cứ để xếp loại"
    assert org["notes"] == ["Chưa đủ căn cứ để xếp loại: chưa nhập số liệu hằng năm của tổ chức."]
    # The cap counts only rated organizations: one excellent among two rated.
    excellent = annual_rating("phunu", values_for(), (), RULES)
    capped = apply_cap((rating, excellent), RULES)
    assert [r.tier for r in capped] == [NOT_RATED, "tot"]


def test_one_figure_entered_rates_and_the_blank_ones_are_missing_not_failed():
    row = IndicatorRow(activities_required=12, activities_held=12)
    rating = annual_rating("nongdan", values_for(row=row), (), RULES)
    assert rating.rated and rating.tier == "khong_hoan_thanh"  # 0 points for what is blank
    statuses = {c.code: c.status for c in rating.criteria}
    assert statuses["meetings"] == "met" and statuses["unity"] == "met"
    assert statuses["attendance"] == "missing" and statuses["dialogue"] == "missing"


# --- the cap, configurable -------------------------------------------------------------------


def _rules_with_cap(**cap):
    from analytics.rules import load_ruleset

    lines = "\n".join(f'{key} = "{value}"' for key, value in cap.items())
    return load_ruleset(2025, override=f"[cap]\n{lines}\n")


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        # 2 (0.4) tells at_least_one from half_up, 13 (2.6) half_up from the others.
        ("down", {2: 0, 3: 0, 5: 1, 12: 2, 13: 2}),
        ("half_up", {2: 0, 3: 1, 5: 1, 12: 2, 13: 3}),
        ("at_least_one", {2: 1, 3: 1, 5: 1, 12: 2, 13: 2}),
    ],
)
@pytest.mark.parametrize("organizations", [2, 3, 5, 12, 13])
def test_the_cap_under_each_rounding(rounding, expected, organizations):
    rules = _rules_with_cap(rounding=rounding)
    # Every organization excellent, with scores 100, 99, 98, ...: the highest keep it.
    ratings = [
        replace(annual_rating(f"org{n:02d}", values_for(), (), rules), score=100.0 - n)
        for n in range(organizations)
    ]
    capped = apply_cap(ratings, rules)
    kept = [r.organization for r in capped if r.tier == "xuat_sac"]
    assert kept == [f"org{n:02d}" for n in range(expected[organizations])]
    held_back = [r for r in capped if r.capped]
    assert len(held_back) == organizations - expected[organizations]
    assert all(r.tier == "tot" for r in held_back)
    note = held_back[0].notes[-1]
    assert note.params["good"] == organizations and note.params["rounding"] == rounding


def test_the_cap_note_says_the_arithmetic_and_who_kept_it():
    from analytics import evaluation_document
    from analytics.report import OrganizationResult

    rules = _rules_with_cap(rounding="down")
    ratings = apply_cap(
        [
            replace(annual_rating(code, values_for(), (), rules), score=score)
            for code, score in (("a", 99.0), ("b", 98.0), ("c", 97.0))
        ],
        rules,
    )
    names = {"a": "Hội Nông dân", "b": "Hội Phụ nữ", "c": "Đoàn Thanh niên"}
    results = [OrganizationResult(r.organization, names[r.organization], r) for r in ratings]
    notes = [o["notes"][-1] for o in evaluation_document(2025, rules, results)["organizations"]]
    assert "20% của 3 tổ chức là 0,6, làm tròn xuống thành 0" in notes[0]
    rules = _rules_with_cap(rounding="half_up")
    ratings = apply_cap([replace(r, tier="xuat_sac", capped=False) for r in ratings], rules)
    results = [OrganizationResult(r.organization, names[r.organization], r) for r in ratings]
    notes = [o["notes"][-1] for o in evaluation_document(2025, rules, results)["organizations"]]
    assert "là 0,6, làm tròn thành 1" in notes[1] and "(Hội Nông dân)" in notes[1]


def test_a_superior_cap_holds_no_one_back_here_and_says_so():
    rules = _rules_with_cap(applies_to="superior")
    ratings = apply_cap([annual_rating(c, values_for(), (), rules) for c in "abc"], rules)
    assert [r.tier for r in ratings] == ["xuat_sac"] * 3
    assert all(r.notes[-1].code == "cap_superior" for r in ratings)


def test_an_unknown_rounding_is_refused_precisely():
    from analytics.errors import AnalyticsError

    with pytest.raises(AnalyticsError, match="cap.rounding must be one of"):
        _rules_with_cap(rounding="ceiling")
