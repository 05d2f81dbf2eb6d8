"""Properties that must hold for any input (hypothesis), and the exact tier boundaries."""

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.criteria import CATALOG, CriterionValue
from analytics.rating import score_criteria, tier_for
from analytics.results import suppressed_cells
from analytics.rules import load_ruleset

RULES = load_ruleset(2025)
CODES = [c.code for c in RULES.criteria]


def _values(draw_values, n_effs):
    values = {}
    for code, value, n_eff in zip(CODES, draw_values, n_effs, strict=True):
        if CATALOG[code].source == "indicators":
            values[code] = CriterionValue(code, value)
        else:
            values[code] = CriterionValue(code, value, ci=None, n=int(n_eff), n_eff=n_eff)
    return values


achieved = st.one_of(st.none(), st.floats(min_value=0, max_value=3, allow_nan=False))
n_eff = st.floats(min_value=0, max_value=500, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(achieved, min_size=len(CODES), max_size=len(CODES)),
    st.lists(n_eff, min_size=len(CODES), max_size=len(CODES)),
    st.sampled_from(CODES),
    st.floats(min_value=0, max_value=2, allow_nan=False),
)
def test_raising_an_achieved_figure_never_lowers_the_score(draws, n_effs, code, raise_by):
    values = _values(draws, n_effs)
    before = values[code]
    # Raising a figure, not supplying a missing one: from "no answers" (insufficient, its
    # weight spread over the rest) to a low value may rightly lower the score.
    assume(before.value is not None)
    higher = before.value + raise_by
    after_values = values | {code: replace(before, value=higher)}
    _, score_before = score_criteria(values, RULES)
    _, score_after = score_criteria(after_values, RULES)
    assert score_after >= score_before - 1e-9


@settings(max_examples=300, deadline=None)
@given(
    st.lists(achieved, min_size=len(CODES), max_size=len(CODES)),
    st.lists(n_eff, min_size=len(CODES), max_size=len(CODES)),
)
def test_weights_sum_to_100_after_renormalization(draws, n_effs):
    results, score = score_criteria(_values(draws, n_effs), RULES)
    if all(r.status == "insufficient" for r in results):
        assert score == 0
    else:
        assert sum(r.weight for r in results) == pytest.approx(100)
    assert 0 <= score <= 100 + 1e-9


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 40), max_size=10),
    st.integers(2, 10),
)
def test_a_hidden_cell_can_never_be_worked_out_from_the_total(cells, k):
    hidden = suppressed_cells(cells, k)
    assert {c for c, n in cells.items() if 0 < n < k} <= hidden
    # One hidden cell alone would be total minus the cells shown: never leave just one,
    # unless it is the only non-empty cell (then the total itself is that small cell).
    non_empty = [c for c, n in cells.items() if n > 0]
    assert len(hidden) != 1 or len(non_empty) == 1


def _all_met_results(exceeded=True):
    values = {
        code: CriterionValue(code, 3.0 if exceeded else 1.0, n=200, n_eff=200.0) for code in CODES
    }
    results, _ = score_criteria(values, RULES)
    return results


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (90.0, "xuat_sac"),
        (89.99, "tot"),
        (70.0, "tot"),
        (69.99, "hoan_thanh"),
        (50.0, "hoan_thanh"),
        (49.99, "khong_hoan_thanh"),
    ],
)
def test_tier_boundaries_are_exact(score, tier):
    assert tier_for(score, _all_met_results(), (), RULES)[0] == tier
