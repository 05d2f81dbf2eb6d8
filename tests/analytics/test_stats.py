"""analytics.stats against references computed another way (the source is named each time)."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from analytics.errors import AnalyticsError
from analytics.stats import (
    Proportion,
    cronbach_alpha,
    kruskal_wallis,
    mann_whitney,
    mean_ci,
    poststratification,
    top2_share,
    two_proportion_test,
    weighted_proportion,
    wilson_interval,
)


@pytest.mark.parametrize(("k", "n"), [(81, 263), (0, 10), (10, 10), (1, 3), (412, 500)])
def test_wilson_matches_scipy_binomtest(k, n):
    # Reference: scipy.stats.binomtest(...).proportion_ci(method="wilson"), a separate code path.
    expected = scipy_stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(expected.low, abs=1e-9)
    assert high == pytest.approx(expected.high, abs=1e-9)


def test_wilson_textbook_value():
    # Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263 -> 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_other_level_is_wider_or_narrower():
    assert wilson_interval(40, 100, 0.99)[0] < wilson_interval(40, 100)[0]
    assert wilson_interval(40, 100, 0.90)[0] > wilson_interval(40, 100)[0]


def test_wilson_refuses_impossible_counts():
    with pytest.raises(AnalyticsError, match="successes=11"):
        wilson_interval(11, 10)
    with pytest.raises(AnalyticsError, match="level"):
        wilson_interval(1, 10, 1.5)


def test_mean_ci_matches_the_t_interval_on_the_raw_answers():
    counts = {1: 4, 2: 7, 3: 12, 4: 20, 5: 9}
    raw = np.repeat(list(counts), list(counts.values()))
    expected = scipy_stats.t.interval(
        0.95, len(raw) - 1, loc=raw.mean(), scale=scipy_stats.sem(raw)
    )
    result = mean_ci(counts)
    assert result.n == len(raw)
    assert result.mean == pytest.approx(raw.mean())
    assert result.sd == pytest.approx(raw.std(ddof=1))
    assert result.confidence_interval() == pytest.approx(expected)


def test_mean_ci_degenerate_cases_are_none_not_errors():
    assert mean_ci({}).mean is None
    assert mean_ci({4: 1}).confidence_interval() is None
    assert mean_ci({4: 3}).confidence_interval() == (4.0, 4.0)
    with pytest.raises(AnalyticsError, match=r"counts\[3\]"):
        mean_ci({3: -1})


def test_top2_counts_four_and_five_only():
    share = top2_share({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    assert (share.successes, share.n) == (2, 5)
    assert top2_share({}).estimate is None


def test_cronbach_alpha_from_sums_matches_the_covariance_formula():
    rng = np.random.default_rng(7)
    base = rng.integers(1, 6, size=200)
    items = np.clip(base[:, None] + rng.integers(-1, 2, size=(200, 4)), 1, 5).astype(float)
    # Reference: alpha = k/(k-1) * (1 - trace(C) / sum(C)) with C the item covariance matrix.
    cov = np.cov(items, rowvar=False)
    k = items.shape[1]
    expected = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    totals = items.sum(axis=1)
    got = cronbach_alpha(
        len(items),
        items.sum(axis=0).tolist(),
        (items**2).sum(axis=0).tolist(),
        float(totals.sum()),
        float((totals**2).sum()),
    )
    assert got == pytest.approx(expected)
    assert 0.5 < got < 1


def test_cronbach_alpha_needs_two_items_two_people_and_variation():
    assert cronbach_alpha(10, [30], [100], 30, 100) is None
    assert cronbach_alpha(1, [3, 4], [9, 16], 7, 49) is None
    assert cronbach_alpha(3, [9, 9], [27, 27], 18, 108) is None  # everybody answered 3, 3


def test_poststratification_effective_n_is_kish():
    sample = {"thon1": 50, "thon2": 10, "kdung": 3}
    population = {"thon1": 600, "thon2": 900, "kdung": 150, "empty": 400}
    weighting = poststratification(sample, population)
    # Reference: Kish's n_eff over one weight per respondent.
    per_person = np.concatenate([[weighting.weights[u]] * c for u, c in sample.items()])
    assert weighting.n_eff == pytest.approx(per_person.sum() ** 2 / (per_person**2).sum())
    # Weighted sample shares equal the population shares of the villages that answered.
    covered = 600 + 900 + 150
    for unit, count in sample.items():
        share = weighting.weights[unit] * count / per_person.sum()
        assert share == pytest.approx(population[unit] / covered)


def test_poststratification_refuses_a_village_without_population():
    with pytest.raises(AnalyticsError, match="sample\\['moi'\\]"):
        poststratification({"moi": 3}, {"thon1": 100})


def test_weighted_share_equals_the_population_weighted_mean_of_village_shares():
    sample = {"a": 40, "b": 10}
    successes = {"a": 10, "b": 9}
    weighting = poststratification(sample, {"a": 100, "b": 300})
    share = weighted_proportion(successes, sample, weighting)
    assert share.estimate == pytest.approx(0.25 * 10 / 40 + 0.75 * 9 / 10)
    assert share.n == pytest.approx(weighting.n_eff)


def test_two_proportion_test_agrees_with_the_chi_square_test():
    a, b = Proportion(45, 100), Proportion(60, 120)
    # Reference: Pearson chi-square without continuity correction; z^2 = chi^2, same p.
    chi2, p, _dof, _exp = scipy_stats.chi2_contingency([[45, 55], [60, 60]], correction=False)
    result = two_proportion_test(a, b)
    assert result.statistic**2 == pytest.approx(chi2)
    assert result.pvalue == pytest.approx(p)
    assert result.effect_size == pytest.approx(0.5 - 0.45)
    assert two_proportion_test(Proportion(0, 0), b).pvalue is None


def test_mann_whitney_u_and_superiority_by_hand():
    # By hand: A = 1,1,1,2,2,2,3,3; B = 3,3,4,4,4,5,5,5. Only the 2x2 tied threes count for A:
    # U_A = 4 * 0.5 = 2, P(B > A) + P(B = A)/2 = 1 - 2/64.
    result = mann_whitney({1: 3, 2: 3, 3: 2}, {3: 2, 4: 3, 5: 3})
    assert result.statistic == 2.0
    assert result.effect_size == pytest.approx(1 - 2 / 64)
    assert result.pvalue < 0.01
    assert mann_whitney({}, {3: 1}).pvalue is None
    assert mann_whitney({3: 4}, {3: 5}).effect_size == 0.5


def test_kruskal_wallis_h_by_hand():
    # By hand: rank sums 36, 108, 156 over N = 24; H = 12/(24*25) * sum(R^2/8) - 75 = 18.24;
    # ties (4,4,4,8,4) give C = 1 - 744/13800, H/C = 19.2794.
    result = kruskal_wallis({"a": {1: 4, 2: 4}, "b": {3: 4, 4: 4}, "c": {4: 4, 5: 4}})
    assert result.statistic == pytest.approx(18.24 / (1 - 744 / 13800))
    assert result.effect_size == pytest.approx(result.statistic / 23)
    assert kruskal_wallis({"a": {1: 3}}).pvalue is None
    assert math.isclose(kruskal_wallis({"a": {2: 3}, "b": {2: 4}}).effect_size, 0.0)


def test_kruskal_wallis_of_identical_groups_finds_no_difference():
    same = {1: 3, 3: 4, 5: 2}
    result = kruskal_wallis({"a": same, "b": same, "c": same})
    assert result.statistic == 0.0
    assert result.pvalue == 1.0
