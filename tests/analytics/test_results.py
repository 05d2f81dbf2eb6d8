"""Question results and small-cell suppression."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from analytics.results import QuestionCounts, question_result, suppressed_cells


def test_likert_result_matches_the_raw_answers():
    counts = {1: 2, 2: 3, 3: 5, 4: 7, 5: 3}
    raw = np.repeat(list(counts), list(counts.values()))
    result = question_result(QuestionCounts("hl", "likert5", len(raw), counts))
    assert result.mean == pytest.approx(raw.mean())
    expected = scipy_stats.t.interval(
        0.95, len(raw) - 1, loc=raw.mean(), scale=scipy_stats.sem(raw)
    )
    assert result.mean_ci == pytest.approx(expected)
    assert result.top2 == pytest.approx(10 / 20)
    assert result.counts == {"1": 2, "2": 3, "3": 5, "4": 7, "5": 3}


def test_choice_questions_keep_option_codes_and_no_mean():
    result = question_result(QuestionCounts("kenh", "multi", 10, {"loa": 7, "hop": 6}))
    assert result.n == 10
    assert result.counts == {"hop": 6, "loa": 7}
    assert result.mean is None and result.top2 is None


@pytest.mark.parametrize(
    ("cells", "hidden"),
    [
        ({"thon1": 40, "thon2": 12}, set()),
        ({"thon1": 40, "thon2": 12, "kdung": 3}, {"kdung", "thon2"}),  # secondary: smallest other
        (
            {"thon1": 40, "kdung": 3, "hway": 4},
            {"kdung", "hway"},
        ),  # two primaries protect each other
        ({"thon1": 40, "kdung": 0}, set()),
        ({"thon1": 4}, {"thon1"}),
    ],
)
def test_small_cells_are_hidden_and_cannot_be_worked_out_from_the_total(cells, hidden):
    assert suppressed_cells(cells, 5) == hidden
