"""Survey statistics on aggregated counts (docs/contract.md#statistics).

Every function takes what a GROUP BY gives (counts per answer value, sums per village) rather
than one row per respondent, so the database does the counting. Results are frozen dataclasses
with plain `float`/`int` fields; degenerate but valid data (nobody answered, no variance) gives
`None` where a number cannot be computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import stats as _scipy

from analytics.errors import AnalyticsError

LIKERT_TOP2 = (4, 5)


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise AnalyticsError(f"level must be between 0 and 1, got {level!r}")
    return float(_scipy.norm.ppf(0.5 + level / 2))


def _counts(counts: Mapping[float, float], name: str = "counts") -> dict[float, float]:
    clean = {}
    for value, count in counts.items():
        if count is None or count < 0 or not math.isfinite(count):
            raise AnalyticsError(f"{name}[{value!r}] must be a non-negative count, got {count!r}")
        if count:
            clean[float(value)] = float(count)
    return clean


@dataclass(frozen=True)
class Proportion:
    """A share with its sample size; `n` may be an effective (weighted) sample size."""

    successes: float
    n: float

    @property
    def estimate(self) -> float | None:
        """The share, or None when nobody answered."""
        return self.successes / self.n if self.n else None

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float] | None:
        """The Wilson score interval, or None when nobody answered."""
        return wilson_interval(self.successes, self.n, level)


def wilson_interval(successes: float, n: float, level: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval for `successes` out of `n` (n may be fractional: effective n).

    >>> low, high = wilson_interval(81, 100)
    >>> round(low, 4), round(high, 4)
    (0.7222, 0.8749)
    >>> wilson_interval(0, 0) is None
    True
    """
    if n < 0 or not 0 <= successes <= n:
        raise AnalyticsError(f"need 0 <= successes <= n, got successes={successes!r}, n={n!r}")
    if n == 0:
        return None
    z = _z(level)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Mean:
    """The mean of answers with its Student t interval."""

    n: int
    mean: float | None
    sd: float | None

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float] | None:
        """The t interval for the mean; None with fewer than two answers."""
        if self.n < 2 or self.sd is None or self.mean is None:
            return None
        if self.sd == 0:
            return (self.mean, self.mean)
        _z(level)  # validates level
        t = float(_scipy.t.ppf(0.5 + level / 2, self.n - 1))
        half = t * self.sd / math.sqrt(self.n)
        return (self.mean - half, self.mean + half)


def mean_ci(counts: Mapping[float, int]) -> Mean:
    """The mean and sample standard deviation of answers given as {value: count}.

    >>> m = mean_ci({1: 1, 3: 2, 5: 1})
    >>> m.n, m.mean, round(m.sd, 4)
    (4, 3.0, 1.633)
    >>> [round(x, 3) for x in m.confidence_interval()]
    [0.402, 5.598]
    """
    clean = _counts(counts)
    n = sum(clean.values())
    if n != int(n):
        raise AnalyticsError(f"counts must be whole numbers, got a total of {n!r}")
    n = int(n)
    if n == 0:
        return Mean(0, None, None)
    mean = sum(v * c for v, c in clean.items()) / n
    if n == 1:
        return Mean(1, mean, None)
    variance = sum(c * (v - mean) ** 2 for v, c in clean.items()) / (n - 1)
    return Mean(n, mean, math.sqrt(variance))


def top2_share(counts: Mapping[float, float], top: Sequence[float] = LIKERT_TOP2) -> Proportion:
    """The share of answers 4 or 5 on a 1..5 scale (top-2-box), from {value: count}.

    >>> p = top2_share({1: 2, 2: 3, 3: 5, 4: 6, 5: 4})
    >>> p.successes, p.n, p.estimate
    (10.0, 20.0, 0.5)
    """
    clean = _counts(counts)
    return Proportion(sum(c for v, c in clean.items() if v in top), sum(clean.values()))


def cronbach_alpha(
    n: int,
    item_sums: Sequence[float],
    item_squares: Sequence[float],
    total_sum: float,
    total_squares: float,
) -> float | None:
    """Cronbach's alpha from sums over complete cases (what one SQL query gives).

    `item_sums[i]` and `item_squares[i]` are the sum and the sum of squares of item i over the
    `n` respondents who answered every item; `total_sum`/`total_squares` are those of each
    respondent's total score. None with fewer than two items or two respondents, or when the
    totals do not vary.

    >>> # Three respondents, two items: (1, 2), (2, 3), (3, 3); totals 3, 5, 6.
    >>> round(cronbach_alpha(3, [6, 8], [14, 22], 14, 70), 4)
    0.8571
    """
    k = len(item_sums)
    if len(item_squares) != k:
        raise AnalyticsError(
            f"item_sums and item_squares differ in length: {k} and {len(item_squares)}"
        )
    if n < 0:
        raise AnalyticsError(f"n must be non-negative, got {n!r}")
    if k < 2 or n < 2:
        return None

    def variance(total: float, squares: float) -> float:
        return (squares - total * total / n) / (n - 1)

    total_variance = variance(total_sum, total_squares)
    if total_variance <= 0:
        return None
    item_variance = sum(variance(s, q) for s, q in zip(item_sums, item_squares, strict=True))
    return k / (k - 1) * (1 - item_variance / total_variance)


@dataclass(frozen=True)
class Weighting:
    """Post-stratification weights per village and the effective sample size they leave."""

    weights: dict[str, float]
    n: int
    n_eff: float


def poststratification(sample: Mapping[str, int], population: Mapping[str, float]) -> Weighting:
    """Weights per village = population share / sample share; n_eff = (Σw)² / Σw².

    Villages in the sample but not in `population` (or with zero population) are an error:
    their answers could not be weighted. Villages with no answers get no weight.

    >>> w = poststratification({"a": 30, "b": 10}, {"a": 500, "b": 500})
    >>> {k: round(v, 4) for k, v in w.weights.items()}
    {'a': 0.6667, 'b': 2.0}
    >>> w.n, round(w.n_eff, 6)
    (40, 30.0)
    """
    total_population = 0.0
    for unit, people in population.items():
        if people is None or people < 0:
            raise AnalyticsError(f"population[{unit!r}] must be non-negative, got {people!r}")
        total_population += people
    n = 0
    for unit, count in sample.items():
        if count < 0 or count != int(count):
            raise AnalyticsError(f"sample[{unit!r}] must be a whole count, got {count!r}")
        if count and not population.get(unit):
            raise AnalyticsError(f"sample[{unit!r}]: the village has no population to weight by")
        n += int(count)
    if n == 0:
        return Weighting({}, 0, 0.0)
    covered = sum(population[u] for u, c in sample.items() if c)
    weights = {
        unit: (population[unit] / covered) / (count / n) for unit, count in sample.items() if count
    }
    sum_w = sum(weights[u] * sample[u] for u in weights)
    sum_w2 = sum(weights[u] ** 2 * sample[u] for u in weights)
    return Weighting(weights, n, sum_w * sum_w / sum_w2)


def weighted_proportion(
    successes: Mapping[str, float], sample: Mapping[str, int], weighting: Weighting
) -> Proportion:
    """A post-stratified share: Σ w·successes / Σ w·n, carried on the effective n.

    >>> w = poststratification({"a": 30, "b": 10}, {"a": 500, "b": 500})
    >>> p = weighted_proportion({"a": 15, "b": 10}, {"a": 30, "b": 10}, w)
    >>> round(p.estimate, 4), round(p.n, 6)
    (0.75, 30.0)
    """
    weighted_n = sum(weighting.weights[u] * c for u, c in sample.items() if c)
    if weighted_n == 0:
        return Proportion(0.0, 0.0)
    weighted_successes = 0.0
    for unit, s in successes.items():
        if s < 0 or s > sample.get(unit, 0):
            raise AnalyticsError(
                f"successes[{unit!r}] must be between 0 and the sample count, got {s!r}"
            )
        if s:
            weighted_successes += weighting.weights[unit] * s
    share = weighted_successes / weighted_n
    return Proportion(share * weighting.n_eff, weighting.n_eff)


@dataclass(frozen=True)
class TestResult:
    """A test's statistic, p-value and an effect size named by `effect`."""

    statistic: float | None
    pvalue: float | None
    effect: str
    effect_size: float | None


def two_proportion_test(a: Proportion, b: Proportion) -> TestResult:
    """Two-sided z test of equal shares (pooled); effect size = difference b − a.

    >>> r = two_proportion_test(Proportion(45, 100), Proportion(60, 100))
    >>> round(r.statistic, 4), round(r.pvalue, 4), round(r.effect_size, 2)
    (2.124, 0.0337, 0.15)
    """
    if not a.n or not b.n:
        return TestResult(None, None, "difference", None)
    pooled = (a.successes + b.successes) / (a.n + b.n)
    diff = b.successes / b.n - a.successes / a.n
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    if se == 0:
        return TestResult(None, None, "difference", diff)
    z = diff / se
    return TestResult(z, float(2 * _scipy.norm.sf(abs(z))), "difference", diff)


def _expand(counts: Mapping[float, float], name: str) -> list[float]:
    clean = _counts(counts, name)
    values = []
    for value, count in sorted(clean.items()):
        if count != int(count):
            raise AnalyticsError(f"{name}[{value!r}] must be a whole count, got {count!r}")
        values.extend([value] * int(count))
    return values


def mann_whitney(a: Mapping[float, int], b: Mapping[float, int]) -> TestResult:
    """Mann-Whitney U test of two groups of ordinal answers given as {value: count}.

    Effect size: the probability of superiority P(B > A) + ½ P(B = A) (= 1 − U_A / (n_A·n_B)).

    >>> r = mann_whitney({1: 3, 2: 3, 3: 2}, {3: 2, 4: 3, 5: 3})
    >>> r.statistic, round(r.pvalue, 4), r.effect_size
    (2.0, 0.0016, 0.96875)
    """
    xs, ys = _expand(a, "a"), _expand(b, "b")
    if not xs or not ys:
        return TestResult(None, None, "probability_of_superiority", None)
    if len(set(xs) | set(ys)) == 1:
        return TestResult(None, None, "probability_of_superiority", 0.5)
    result = _scipy.mannwhitneyu(xs, ys, alternative="two-sided")
    u_a = float(result.statistic)
    return TestResult(
        u_a, float(result.pvalue), "probability_of_superiority", 1 - u_a / (len(xs) * len(ys))
    )


def kruskal_wallis(groups: Mapping[str, Mapping[float, int]]) -> TestResult:
    """Kruskal-Wallis H test across groups (organizations) of {value: count} answers.

    Effect size: epsilon² = H / (n − 1).

    >>> r = kruskal_wallis({"a": {1: 4, 2: 4}, "b": {3: 4, 4: 4}, "c": {4: 4, 5: 4}})
    >>> round(r.statistic, 3), r.pvalue < 0.001, round(r.effect_size, 3)
    (19.279, True, 0.838)
    """
    samples = [_expand(g, f"groups[{name!r}]") for name, g in groups.items()]
    samples = [s for s in samples if s]
    if len(samples) < 2:
        return TestResult(None, None, "epsilon_squared", None)
    everything = [x for s in samples for x in s]
    if len(set(everything)) == 1:
        return TestResult(None, None, "epsilon_squared", 0.0)
    result = _scipy.kruskal(*samples)
    h = max(0.0, float(result.statistic))  # identical groups can give -0.0
    pvalue = float(result.pvalue) if math.isfinite(result.pvalue) else 1.0 if h == 0 else None
    return TestResult(h, pvalue, "epsilon_squared", h / (len(everything) - 1))
