"""Each criterion from plain rows, against hand-worked values."""

import pytest

from analytics.criteria import (
    FeedbackCounts,
    IndicatorRow,
    VillageCounts,
    feedback_criterion,
    indicator_criteria,
    survey_criterion,
)
from analytics.errors import AnalyticsError

ROW = IndicatorRow(
    members_start=180,
    members_end=200,
    new_members=15,
    new_members_target=20,
    activities_required=12,
    activities_held=10,
    attendance_rate=0.72,
    attendance_target=0.8,
    campaign_members=110,
    supervision_planned=4,
    supervision_done=3,
    recommendations_issued=8,
    recommendations_answered=6,
    dialogues_planned=2,
    dialogues_held=2,
    shortcomings_identified=5,
    shortcomings_remedied=4,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("meetings", 10 / 12),
        ("remediation", 4 / 5),
        ("unity", 1.0),
        ("member_development", 15 / 20),
        ("attendance", 0.72 / 0.8),  # the organization's own target
        ("campaigns", 110 / 200),  # members at the end of the year
        ("supervision", 3 / 4),
        ("recommendations", 6 / 8),
        ("dialogue", 2 / 2),
    ],
)
def test_each_indicator_criterion(code, expected):
    assert indicator_criteria(ROW)[code].value == pytest.approx(expected)


def test_missing_and_empty_figures():
    values = indicator_criteria(IndicatorRow(members_start=50, campaign_members=30))
    assert values["campaigns"].value == pytest.approx(0.6)  # start when end is not entered
    assert values["meetings"].reason == "missing" and values["meetings"].value is None
    nothing_planned = indicator_criteria(
        IndicatorRow(
            supervision_planned=0,
            supervision_done=0,
            shortcomings_identified=0,
            shortcomings_remedied=0,
            recommendations_issued=0,
            recommendations_answered=0,
        )
    )
    assert nothing_planned["supervision"].value == 0  # planning nothing earns nothing
    assert nothing_planned["remediation"].value == 1  # nothing found wanting
    assert nothing_planned["recommendations"].value is None  # nothing to follow up
    assert indicator_criteria(IndicatorRow(veto_disunity=True))["unity"].value == 0


def test_survey_criterion_is_the_population_weighted_share():
    # thon1: 300 adults, 40 respondents, 30 satisfied; thon2: 100 adults, 10 respondents, 2.
    rows = [VillageCounts("thon1", 40, 30), VillageCounts("thon2", 10, 2)]
    value = survey_criterion("satisfaction", rows, {"thon1": 300, "thon2": 100})
    assert value.value == pytest.approx(0.75 * 30 / 40 + 0.25 * 2 / 10)
    # Kish: weights 0.75/0.8 = 0.9375 (x40) and 0.25/0.2 = 1.25 (x10);
    # (37.5 + 12.5)^2 / (40 * 0.9375^2 + 10 * 1.25^2) = 2500 / 50.78125.
    assert value.n_eff == pytest.approx(2500 / 50.78125)
    assert value.n == 50


def test_survey_criterion_leaves_out_villages_without_population_and_says_so():
    rows = [VillageCounts("thon1", 40, 30), VillageCounts("moi", 5, 5)]
    value = survey_criterion("satisfaction", rows, {"thon1": 300})
    assert value.n == 40 and value.evidence["left_out"] == ["moi"]
    assert survey_criterion("satisfaction", [], {"thon1": 1}).reason == "no_answers"
    with pytest.raises(AnalyticsError, match="survey criterion"):
        survey_criterion("meetings", rows, {"thon1": 300})


def test_feedback_answered_in_time():
    value = feedback_criterion(FeedbackCounts(received=50, answered_in_time=45))
    assert value.value == 0.9 and value.n == 50
    assert feedback_criterion(FeedbackCounts(0, 0)).reason == "no_answers"
    with pytest.raises(AnalyticsError, match="answered_in_time"):
        feedback_criterion(FeedbackCounts(3, 4))
