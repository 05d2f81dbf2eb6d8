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


@pytest.mark.parametrize(
    ("cells", "already", "hidden"),
    [
        # A cell hidden for another reason protects a small one as a second hidden cell would.
        ({"a": 1, "b": 8, "c": 6, "d": 2}, {"d"}, {"a", "d"}),
        # ...but not when it holds nothing: the small one could be worked out from the total.
        ({"a": 1, "b": 8, "c": 6, "d": 0}, {"d"}, {"a", "c", "d"}),
        ({"a": 9, "b": 8, "d": 0}, {"d"}, {"d"}),
        ({"a": 9, "b": 8}, {"x"}, set()),  # a hidden cell that is not in the breakdown
    ],
)
def test_cells_hidden_already_count_as_hidden(cells, already, hidden):
    assert suppressed_cells(cells, 5, hidden=already) == hidden


def _likert(code, n, mean_of=4):
    return question_result(QuestionCounts(code, "likert5", n, {mean_of: n} if n else {}))


def test_the_results_hide_small_questions_and_small_cells_of_a_village():
    from analytics.results import results_document

    by_unit = {
        "a": (20, [_likert("hl", 20), _likert("hl2", 1, 1), _likert("hl3", 3)]),
        "b": (12, [_likert("hl", 12), _likert("hl2", 8)]),
        "e": (15, [_likert("hl", 15), _likert("hl2", 6)]),
        "d": (2, [_likert("hl", 2)]),
        "f": (3, [_likert("hl", 3)]),
    }
    questions = [_likert("hl", 52), _likert("hl2", 15), _likert("hl3", 3)]
    document = results_document("ks", 52, questions, [], by_unit, 5)
    units = document["units"]
    # d and f are under k, and hide each other.
    assert units["d"] == {"n": None, "suppressed": True, "questions": None}
    assert units["f"]["suppressed"] is True and units["b"]["suppressed"] is False
    # In a village that is shown, a question answered by fewer than k is hidden, and so is
    # the smallest other cell of that question, which would give it away from the total.
    assert units["a"]["questions"]["hl2"] == {"n": None, "suppressed": True}
    assert units["e"]["questions"]["hl2"] == {"n": None, "suppressed": True}
    assert units["b"]["questions"]["hl2"]["n"] == 8
    assert (
        units["a"]["questions"]["hl"]["n"] == 20 and not units["a"]["questions"]["hl"]["suppressed"]
    )
    # A question answered by fewer than k in the whole survey shows no figure at all.
    assert document["questions"]["hl3"] == {"n": None, "suppressed": True}
    assert units["a"]["questions"]["hl3"] == {"n": None, "suppressed": True}
    assert document["questions"]["hl2"]["n"] == 15
    assert document["questions"]["hl2"]["suppressed"] is False
