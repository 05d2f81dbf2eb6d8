"""Small areas: communes' survey estimates shrunk toward the province (Fay–Herriot, 1979).

A small commune's satisfaction share rests on few answers, so its direct estimate is noisy;
ranking communes by it puts the smallest at both ends. The area-level model of Fay and Herriot
(1979, JASA 74:269) borrows strength across the province's communes:

    y_i = θ_i + e_i,   e_i ~ N(0, D_i)          (the survey's error; D_i known)
    θ_i = x_i'β + v_i, v_i ~ N(0, A)            (how far commune i truly is from the model)

where y_i is commune i's direct estimate (a share 0..1, or any real figure), D_i its sampling
variance (e.g. p(1-p)/n_eff, or a design-based variance) and x_i its covariates (by default
the intercept alone: every commune is shrunk toward the precision-weighted province mean
Σ w_i y_i / Σ w_i, w_i = 1/(A + D_i); this is the model's mean, not the population-weighted
province share). The empirical-Bayes (EBLUP) estimate is

    θ̂_i = γ_i y_i + (1 − γ_i) x_i'β̂,   γ_i = Â / (Â + D_i),

so a commune with many answers (small D_i) keeps its own figure (γ_i near 1) and one with few
is pulled toward the synthetic estimate x_i'β̂.

Between-area variance A: estimated by REML (the root of the restricted score, found here by
Brent's method; Rao & Molina 2015, *Small Area Estimation*, 2nd ed., ch. 6), truncated at 0.
REML rather than Fay–Herriot's or Prasad–Rao's (1990, JASA 85:163) moment method because it
is efficient when the D_i differ many-fold (as between a commune of 30 answers and one of
500), it has a simple second-order-correct MSE (below) and it is what the reference
implementations use (R package `sae`, `eblupFH`). When the data show no between-commune
variation beyond sampling error, Â = 0: every γ_i is 0 and every commune's estimate is the
synthetic x_i'β̂ (full shrinkage; `truncated` says so). The MSE then still carries the
uncertainty of β̂ and of Â (g2, g3 below), but a zero Â is itself uncertain: read such a
result as "the communes cannot be told apart", not as "they are equal".

β: weighted least squares given Â, weights 1/(Â + D_i).

MSE: the Prasad–Rao second-order approximation, in its form for REML (Datta & Lahiri 2000,
Statistica Sinica 10:613; Rao & Molina 2015, ch. 6), mse_i = g1_i + g2_i + 2·g3_i with

    g1_i = γ_i D_i                                        (the posterior variance, A known)
    g2_i = (1 − γ_i)² x_i' (X'V⁻¹X)⁻¹ x_i                 (from estimating β)
    g3_i = D_i² / (Â + D_i)³ · 2 / Σ_j (Â + D_j)⁻²        (from estimating A)

The interval is θ̂_i ± z·√mse_i; when the values are shares (`shares=True`), the interval and
the estimate are clipped to [0, 1] (only covariates can carry the estimate outside).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize as _optimize
from scipy import stats as _scipy

from analytics.errors import AnalyticsError

MAX_DOUBLINGS = 200
TOLERANCE = 1e-12


@dataclass(frozen=True)
class AreaEstimate:
    """One area's direct and shrunk estimate, in the order the areas were given."""

    direct: float  # y_i, the survey's own estimate
    variance: float  # D_i, its sampling variance
    synthetic: float  # x_i'β̂, what the area is shrunk toward
    gamma: float  # γ_i = Â / (Â + D_i): the weight the area's own estimate keeps
    estimate: float  # θ̂_i = γ_i y_i + (1 − γ_i) x_i'β̂
    mse: float  # g1 + g2 + 2·g3 (Datta & Lahiri 2000)
    interval: tuple[float, float]  # θ̂_i ± z·√mse, clipped to [0, 1] for shares

    @property
    def standard_error(self) -> float:
        """√mse, the shrunk estimate's root mean squared error."""
        return math.sqrt(self.mse)


@dataclass(frozen=True)
class SmallAreaFit:
    """The fitted Fay–Herriot model and every area's estimate."""

    areas: tuple[AreaEstimate, ...]
    between_variance: float  # Â (REML, truncated at 0)
    beta: tuple[float, ...]  # β̂: the intercept first, then one per covariate
    truncated: bool  # Â = 0: every area is its synthetic estimate
    level: float  # the intervals' confidence level


def _array(values: Sequence[float], name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise AnalyticsError(f"{name} must be numbers: {error}") from None
    if array.ndim != 1:
        raise AnalyticsError(f"{name} must be one number per area, got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise AnalyticsError(f"{name}[{bad[0]}] must be a finite number, got {array[bad[0]]!r}")
    return array


def _design(covariates: Sequence[Sequence[float]] | None, m: int) -> np.ndarray:
    """The design matrix: an intercept, then the covariates' columns."""
    if covariates is None:
        return np.ones((m, 1))
    try:
        extra = np.asarray(covariates, dtype=float)
    except (TypeError, ValueError) as error:
        raise AnalyticsError(f"covariates must be rows of numbers: {error}") from None
    if extra.ndim == 1:
        extra = extra[:, None]
    if extra.ndim != 2 or extra.shape[0] != m:
        raise AnalyticsError(
            f"covariates must have one row per area ({m}), got shape {extra.shape}"
        )
    if not np.all(np.isfinite(extra)):
        row = int(np.flatnonzero(~np.all(np.isfinite(extra), axis=1))[0])
        raise AnalyticsError(f"covariates[{row}] must be finite numbers, got {extra[row]!r}")
    return np.column_stack([np.ones(m), extra])


def _validate(direct, variances, covariates, level, shares):
    y = _array(direct, "direct")
    d = _array(variances, "variances")
    if len(y) != len(d):
        raise AnalyticsError(f"direct and variances differ in length: {len(y)} and {len(d)} areas")
    bad = np.flatnonzero(d <= 0)
    if bad.size:
        raise AnalyticsError(
            f"variances[{bad[0]}] must be positive (a sampling variance), got {d[bad[0]]!r}"
        )
    if shares:
        bad = np.flatnonzero((y < 0) | (y > 1))
        if bad.size:
            raise AnalyticsError(f"direct[{bad[0]}] must be a share in [0, 1], got {y[bad[0]]!r}")
    if not 0 < level < 1:
        raise AnalyticsError(f"level must be between 0 and 1, got {level!r}")
    x = _design(covariates, len(y))
    p = x.shape[1]
    if len(y) < p + 2:
        raise AnalyticsError(
            f"need at least {p + 2} areas (the {p} coefficient(s) plus 2), got {len(y)}"
        )
    if np.linalg.matrix_rank(x) < p:
        raise AnalyticsError("covariates are collinear (or constant): drop the redundant ones")
    return y, d, x


def _gls(a: float, y: np.ndarray, d: np.ndarray, x: np.ndarray):
    """β̂ by weighted least squares given A, with the pieces REML's score needs."""
    w = 1.0 / (a + d)
    b_inv = np.linalg.inv(x.T @ (w[:, None] * x))  # (X'V⁻¹X)⁻¹
    beta = b_inv @ (x.T @ (w * y))
    return w, b_inv, beta, y - x @ beta


def _score(a: float, y: np.ndarray, d: np.ndarray, x: np.ndarray) -> float:
    """The REML score −½ tr(P) + ½ y'P²y, without forming P (m × m).

    P = W − W X B⁻¹ X' W with W = V⁻¹ = diag(w), B = X'WX, so tr(P) = Σ w − tr(B⁻¹X'W²X)
    and Py = W r (r the GLS residual).
    """
    w, b_inv, _, residual = _gls(a, y, d, x)
    trace_p = float(np.sum(w) - np.trace(b_inv @ (x.T @ ((w**2)[:, None] * x))))
    return -0.5 * trace_p + 0.5 * float(np.sum((w * residual) ** 2))


def reml_variance(y: np.ndarray, d: np.ndarray, x: np.ndarray) -> float:
    """Â: the root of the REML score on [0, ∞), or 0 when the score is already ≤ 0 at 0.

    The restricted score −½ tr(P) + ½ y'P²y (Rao & Molina 2015, ch. 6) is positive below the
    REML estimate and negative above it (the Fay–Herriot restricted likelihood is in practice
    unimodal); its root is bracketed by doubling and found by Brent's method, which settles
    where the textbook's Fisher scoring can crawl (small A, few areas: 25 steps and more).

    >>> y = np.array([0.1, 0.9, 0.2, 0.8]); d = np.full(4, 0.01); x = np.ones((4, 1))
    >>> round(reml_variance(y, d, x), 6)  # for equal D, REML is the sample variance minus D
    0.156667
    """
    if _score(0.0, y, d, x) <= 0:
        return 0.0
    scale = float(np.median(d))
    high = max(scale, float(np.var(y)))
    for _ in range(MAX_DOUBLINGS):
        if _score(high, y, d, x) < 0:
            break
        high *= 2
    else:
        raise AnalyticsError(f"the between-area variance grows without bound (past {high!r})")
    return float(
        _optimize.brentq(_score, 0.0, high, args=(y, d, x), xtol=TOLERANCE * scale, rtol=1e-12)
    )


def fay_herriot(
    direct: Sequence[float],
    variances: Sequence[float],
    covariates: Sequence[Sequence[float]] | None = None,
    *,
    level: float = 0.95,
    shares: bool = False,
) -> SmallAreaFit:
    """Shrink each area's direct estimate toward the model (the province) by Fay–Herriot EB.

    `direct[i]` is area i's survey estimate and `variances[i]` its known sampling variance
    (> 0); `covariates[i]`, if given, area i's auxiliary values (an intercept is always
    added). `shares=True` says the values are shares: they must lie in [0, 1] and the
    estimates and intervals are clipped to it. Areas come back in the order given. See the
    module's docstring for the model, the REML estimate of A and the MSE.

    >>> fit = fay_herriot([0.9, 0.62, 0.55, 0.3, 0.7], [0.03, 0.001, 0.004, 0.03, 0.002],
    ...                   shares=True)
    >>> round(fit.between_variance, 4), round(fit.beta[0], 3), fit.truncated
    (0.0042, 0.626, False)
    >>> [round(area.gamma, 2) for area in fit.areas]  # large D, little weight on y_i
    [0.12, 0.81, 0.51, 0.12, 0.68]
    >>> [round(area.estimate, 3) for area in fit.areas]
    [0.66, 0.621, 0.587, 0.586, 0.676]
    >>> low, high = fit.areas[0].interval
    >>> round(low, 3), round(high, 3)
    (0.505, 0.814)

    With no spread beyond sampling error, Â is 0 and every area gets the synthetic estimate:

    >>> flat = fay_herriot([0.5, 0.52, 0.48, 0.51], [0.01, 0.01, 0.02, 0.005])
    >>> flat.truncated, {round(area.estimate, 4) for area in flat.areas}
    (True, {0.5067})
    """
    y, d, x = _validate(direct, variances, covariates, level, shares)
    a = reml_variance(y, d, x)
    w, b_inv, beta, _ = _gls(a, y, d, x)
    synthetic = x @ beta
    gamma = a / (a + d)
    estimate = gamma * y + (1 - gamma) * synthetic
    g1 = gamma * d
    g2 = (1 - gamma) ** 2 * np.einsum("ij,jk,ik->i", x, b_inv, x)
    var_a = 2.0 / float(np.sum(w**2))  # the asymptotic variance of the REML Â
    g3 = d**2 * w**3 * var_a
    mse = g1 + g2 + 2 * g3
    z = float(_scipy.norm.ppf(0.5 + level / 2))
    half = z * np.sqrt(mse)
    low, high = estimate - half, estimate + half
    if shares:
        estimate, low, high = (np.clip(v, 0.0, 1.0) for v in (estimate, low, high))
    areas = tuple(
        AreaEstimate(
            direct=float(y[i]),
            variance=float(d[i]),
            synthetic=float(synthetic[i]),
            gamma=float(gamma[i]),
            estimate=float(estimate[i]),
            mse=float(mse[i]),
            interval=(float(low[i]), float(high[i])),
        )
        for i in range(len(y))
    )
    return SmallAreaFit(
        areas=areas,
        between_variance=a,
        beta=tuple(float(b) for b in beta),
        truncated=a == 0.0,
        level=level,
    )
