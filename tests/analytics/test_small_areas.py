"""analytics.small_areas (Fay–Herriot) on simulated provinces whose truth is known.

Each replication draws a province of 75 communes: a true satisfaction share
θ_i ~ N(0.6, A) and a direct estimate y_i ~ N(θ_i, D_i), with D_i = 0.24 / n_i for n_i from
25 to 500 answers (D varies 20-fold). The estimator sees y and D only; the tests compare what
it returns with θ and A.
"""

import math
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from scipy import optimize

from analytics import AnalyticsError, AreaEstimate, SmallAreaFit, fay_herriot

AREAS = 75
MEAN = 0.6
TRUE_A = 0.08**2  # communes' true shares spread with a standard deviation of 8 points
ANSWERS = np.geomspace(25, 500, AREAS)  # 20-fold: D from 0.0096 down to 0.00048
D = 0.24 / ANSWERS
REPLICATIONS = 1000
WEAK_A = 0.03**2


def simulate(a, replications, seed):
    """Per replication: the fit, the truth and the direct estimates."""
    rng = np.random.default_rng(seed)
    for _ in range(replications):
        theta = MEAN + math.sqrt(a) * rng.standard_normal(AREAS)
        y = theta + np.sqrt(D) * rng.standard_normal(AREAS)
        yield fay_herriot(y, D), theta, y


def summarize(a, replications=REPLICATIONS, seed=20250701):
    direct_error = eb_error = 0.0
    covered = np.zeros(AREAS)
    squared_errors = np.zeros(AREAS)
    estimated_mse = np.zeros(AREAS)
    a_hats, truncated, spreads, gammas = [], 0, [], []
    for fit, theta, y in simulate(a, replications, seed):
        estimate = np.array([area.estimate for area in fit.areas])
        low = np.array([area.interval[0] for area in fit.areas])
        high = np.array([area.interval[1] for area in fit.areas])
        direct_error += float(np.sum((y - theta) ** 2))
        eb_error += float(np.sum((estimate - theta) ** 2))
        covered += (low <= theta) & (theta <= high)
        squared_errors += (estimate - theta) ** 2
        estimated_mse += np.array([area.mse for area in fit.areas])
        a_hats.append(fit.between_variance)
        truncated += fit.truncated
        spreads.append((float(np.std(estimate)), float(np.std(y))))
        gammas.append([area.gamma for area in fit.areas])
    return {
        "error_ratio": eb_error / direct_error,
        "coverage": covered / replications,
        "mse_ratio": estimated_mse / squared_errors,
        "a_hats": np.array(a_hats),
        "truncated": truncated / replications,
        "spreads": np.array(spreads),
        "gamma": np.array(gammas),
    }


@pytest.fixture(scope="module")
def province():
    return summarize(TRUE_A)


@pytest.fixture(scope="module")
def weak_province():
    """Communes that truly differ by 3 points only: Â is often near 0, g2 and g3 matter."""
    return summarize(WEAK_A, seed=11)


@pytest.fixture(scope="module")
def flat_province():
    return summarize(0.0, replications=500, seed=7)


def test_shrunk_estimates_are_closer_to_the_truth_than_direct_ones(province):
    # (a) Total squared error over every commune and replication: EB well below direct.
    assert province["error_ratio"] < 0.7


def test_intervals_cover_the_truth_about_95_percent_of_the_time(province):
    # (b) Averaged over replications and communes, and for the smallest communes on their own
    # (where shrinkage does the most and the MSE's g2, g3 terms matter).
    coverage = province["coverage"]
    assert 0.935 <= coverage.mean() <= 0.965
    smallest = coverage[:15]  # n from 25 to about 47
    assert 0.925 <= smallest.mean() <= 0.975


def test_estimated_mse_matches_the_squared_error_on_average(province):
    # The Prasad–Rao/Datta–Lahiri MSE is second-order unbiased: compared with the empirical
    # MSE over replications, per commune, it is right to within a few percent on average.
    ratio = province["mse_ratio"]
    assert 0.93 <= ratio.mean() <= 1.07
    assert ratio.min() > 0.8 and ratio.max() < 1.25


def test_mse_terms_for_estimating_beta_and_a_are_needed_when_the_signal_is_weak(weak_province):
    # With little true spread the g2 and 2·g3 terms carry a tenth of the MSE: g1 alone, or
    # g1 + g2, or g1 + g2 + g3 (ML's form) understate it by 5-11% here; the REML form does not.
    ratio = weak_province["mse_ratio"]
    assert 0.96 <= ratio.mean() <= 1.04
    # Normal intervals then cover a little less than 95% (a known limit of the plug-in MSE).
    assert 0.90 <= weak_province["coverage"].mean() <= 0.97


def test_mse_is_g1_plus_g2_plus_twice_g3():
    # Datta & Lahiri (2000) for REML, with X the intercept and one covariate, written out.
    y = np.array([0.35, 0.81, 0.62, 0.28, 0.9, 0.5])
    d = np.array([0.004, 0.01, 0.002, 0.008, 0.02, 0.003])
    covariate = np.array([0.1, 0.3, 0.2, 0.05, 0.4, 0.25])
    fit = fay_herriot(y, d, covariate[:, None])
    a = fit.between_variance
    assert a > 0
    x = np.column_stack([np.ones(6), covariate])
    v_inv = np.diag(1 / (a + d))
    information_beta = np.linalg.inv(x.T @ v_inv @ x)
    var_a = 2 / np.sum(1 / (a + d) ** 2)
    for i, area in enumerate(fit.areas):
        gamma = a / (a + d[i])
        g1 = gamma * d[i]
        g2 = (1 - gamma) ** 2 * x[i] @ information_beta @ x[i]
        g3 = d[i] ** 2 / (a + d[i]) ** 3 * var_a
        assert area.mse == pytest.approx(g1 + g2 + 2 * g3)


def test_between_area_variance_is_estimated_without_large_bias(province):
    # (c) REML's Â averaged over replications is within 5% of the true A (its standard
    # error is about 22% of A in one replication, 0.7% over 1000); few are truncated.
    a_hats = province["a_hats"]
    assert abs(a_hats.mean() / TRUE_A - 1) < 0.05
    assert province["truncated"] < 0.02


def test_without_true_spread_estimates_collapse_to_the_mean(flat_province):
    # (d) θ_i = μ for every commune: Â is 0 often and below every D_i on average, so the
    # weights on the direct estimates are small, the estimates' spread is a small fraction of
    # the direct estimates' and their error far below the direct ones'.
    assert flat_province["truncated"] > 0.3
    assert flat_province["a_hats"].mean() < D.min()
    assert flat_province["gamma"].mean() < 0.1
    spreads = flat_province["spreads"]
    assert np.mean(spreads[:, 0] / spreads[:, 1]) < 0.15
    assert flat_province["error_ratio"] < 0.05


def test_truncated_fit_gives_every_area_the_synthetic_estimate():
    fit = fay_herriot([0.5, 0.52, 0.48, 0.51], [0.01, 0.01, 0.02, 0.005])
    assert fit.truncated and fit.between_variance == 0.0
    weights = 1 / np.array([0.01, 0.01, 0.02, 0.005])
    mean = float(np.sum(weights * [0.5, 0.52, 0.48, 0.51]) / weights.sum())
    assert fit.beta[0] == pytest.approx(mean)
    for area in fit.areas:
        assert area.gamma == 0.0
        assert area.estimate == pytest.approx(mean)
        assert area.mse > 0


def test_smaller_sampling_variance_keeps_more_of_its_own_estimate():
    # (e) γ_i = A/(A + D_i) falls as D_i grows; shuffle the areas so order cannot fake it.
    rng = np.random.default_rng(3)
    order = rng.permutation(AREAS)
    theta = MEAN + math.sqrt(TRUE_A) * rng.standard_normal(AREAS)
    y = theta + np.sqrt(D) * rng.standard_normal(AREAS)
    fit = fay_herriot(y[order], D[order])
    assert not fit.truncated
    gammas = [(area.variance, area.gamma) for area in fit.areas]
    by_variance = [gamma for _, gamma in sorted(gammas)]
    assert all(a > b for a, b in zip(by_variance, by_variance[1:], strict=False))
    assert by_variance[0] > 0.8 and by_variance[-1] < 0.6
    for area in fit.areas:
        assert area.estimate == pytest.approx(
            area.gamma * area.direct + (1 - area.gamma) * area.synthetic
        )


def restricted_loglik(a, y, d, x):
    """The REML log-likelihood written out with the full projection matrix P (a reference)."""
    v_inv = np.diag(1 / (a + d))
    b = x.T @ v_inv @ x
    p = v_inv - v_inv @ x @ np.linalg.inv(b) @ x.T @ v_inv
    return -0.5 * (np.sum(np.log(a + d)) + np.linalg.slogdet(b)[1] + y @ p @ y)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reml_estimate_maximizes_the_restricted_likelihood(seed):
    # Reference: a bounded numerical maximization of the likelihood formed another way.
    rng = np.random.default_rng(seed)
    m = 30
    d = rng.uniform(0.5, 10, m)
    covariate = rng.normal(size=m)
    y = 2 + 0.5 * covariate + rng.normal(0, 1.5, m) + rng.normal(0, np.sqrt(d))
    x = np.column_stack([np.ones(m), covariate])
    fit = fay_herriot(y, d, covariate[:, None])
    best = optimize.minimize_scalar(
        lambda a: -restricted_loglik(a, y, d, x),
        bounds=(0, 50),
        method="bounded",
        options={"xatol": 1e-10},
    )
    assert fit.between_variance == pytest.approx(best.x, rel=1e-5)
    w = 1 / (fit.between_variance + d)
    beta = np.linalg.solve(x.T @ (w[:, None] * x), x.T @ (w * y))
    assert fit.beta == pytest.approx(tuple(beta))


def test_covariates_move_the_synthetic_estimate():
    rng = np.random.default_rng(11)
    poverty = rng.uniform(0, 0.4, AREAS)
    theta = 0.8 - 0.8 * poverty + 0.03 * rng.standard_normal(AREAS)
    y = theta + np.sqrt(D) * rng.standard_normal(AREAS)
    fit = fay_herriot(y, D, [[p] for p in poverty], shares=True)
    intercept, slope = fit.beta
    assert intercept == pytest.approx(0.8, abs=0.05)
    assert slope == pytest.approx(-0.8, abs=0.2)
    for area, p in zip(fit.areas, poverty, strict=True):
        assert area.synthetic == pytest.approx(intercept + slope * p)
    estimate = np.array([area.estimate for area in fit.areas])
    assert np.sum((estimate - theta) ** 2) < np.sum((y - theta) ** 2)


def test_share_intervals_stay_within_zero_and_one():
    y = [0.99, 0.97, 1.0, 0.6, 0.7, 0.02]
    d = [0.004, 0.003, 0.01, 0.002, 0.002, 0.003]
    shares = fay_herriot(y, d, shares=True)
    loose = fay_herriot(y, d)
    assert loose.areas[2].interval[1] > 1 and loose.areas[5].interval[0] < 0
    for area in shares.areas:
        assert 0.0 <= area.interval[0] <= area.estimate <= area.interval[1] <= 1.0


def test_a_higher_level_gives_wider_intervals():
    y, d = [0.4, 0.6, 0.7, 0.5, 0.8], [0.01, 0.02, 0.005, 0.01, 0.02]
    narrow, wide = fay_herriot(y, d, level=0.9), fay_herriot(y, d, level=0.99)
    assert wide.level == 0.99
    for a, b in zip(narrow.areas, wide.areas, strict=True):
        assert b.interval[0] < a.interval[0] < a.interval[1] < b.interval[1]
        half = (a.interval[1] - a.interval[0]) / 2
        assert half == pytest.approx(1.6448536 * a.standard_error)


def test_results_are_frozen():
    fit = fay_herriot([0.4, 0.6, 0.7], [0.01, 0.02, 0.005])
    assert isinstance(fit, SmallAreaFit) and isinstance(fit.areas[0], AreaEstimate)
    with pytest.raises(FrozenInstanceError):
        fit.between_variance = 1.0
    with pytest.raises(FrozenInstanceError):
        fit.areas[0].estimate = 1.0


NAN = float("nan")


@pytest.mark.parametrize(
    ("direct", "variances", "options", "message"),
    [
        ([0.1, 0.2, 0.3], [0.01, 0.01], {}, "differ in length: 3 and 2 areas"),
        ([0.1, 0.2, 0.3], [0.01, 0.0, 0.01], {}, r"variances\[1\] must be positive"),
        ([0.1, 0.2, 0.3], [0.01, 0.01, -0.01], {}, r"variances\[2\] must be positive"),
        ([0.1, 0.2], [0.01, 0.01], {}, "need at least 3 areas"),
        ([], [], {}, "need at least 3 areas"),
        ([0.1, NAN, 0.3], [0.01, 0.01, 0.01], {}, r"direct\[1\] must be a finite number"),
        ([0.1, 0.2, 0.3], [0.01, NAN, 0.01], {}, r"variances\[1\] must be a finite number"),
        ([0.1, 0.2, math.inf], [0.01, 0.01, 0.01], {}, r"direct\[2\] must be a finite"),
        ([0.1, 0.2, "x"], [0.01, 0.01, 0.01], {}, "direct must be numbers"),
        ([0.1, 1.2, 0.3], [0.01, 0.01, 0.01], {"shares": True}, r"direct\[1\] must be a share"),
        ([0.1, 0.2, 0.3], [0.01, 0.01, 0.01], {"level": 1.5}, "level must be between 0 and 1"),
        (
            [0.1, 0.2, 0.3],
            [0.01, 0.01, 0.01],
            {"covariates": [[1.0], [2.0]]},
            r"one row per area \(3\)",
        ),
        (
            [0.1, 0.2, 0.3],
            [0.01, 0.01, 0.01],
            {"covariates": [[1.0], [2.0], [3.0]]},
            "need at least 4 areas",
        ),
        (
            [0.1, 0.2, 0.3, 0.4],
            [0.01, 0.01, 0.01, 0.01],
            {"covariates": [[1.0], [NAN], [3.0], [4.0]]},
            r"covariates\[1\] must be finite",
        ),
        (
            [0.1, 0.2, 0.3, 0.4, 0.5],
            [0.01, 0.01, 0.01, 0.01, 0.01],
            {"covariates": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0], [5.0, 10.0]]},
            "collinear",
        ),
        (
            [0.1, 0.2, 0.3, 0.4],
            [0.01, 0.01, 0.01, 0.01],
            {"covariates": [[1.0], [1.0], [1.0], [1.0]]},
            "collinear",
        ),
    ],
)
def test_bad_input_is_refused_with_a_precise_message(direct, variances, options, message):
    with pytest.raises(AnalyticsError, match=message):
        fay_herriot(direct, variances, **options)
