"""A survey's results per question and per village, with small cells suppressed.

Inputs are counts from GROUP BY queries; outputs are frozen dataclasses and, through
`results_document`, DESIGN.md's "Results JSON".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.errors import AnalyticsError
from analytics.stats import mean_ci, top2_share

NUMERIC_KINDS = ("likert5", "nps", "number", "yesno")


@dataclass(frozen=True)
class QuestionCounts:
    """What the database counted for one question: respondents, and answers per value.

    `counts` maps an option code (single, multi) or a number (likert5, nps, yesno, number) to
    how many respondents gave it; multi questions may give several per respondent.
    """

    code: str
    kind: str
    respondents: int
    counts: Mapping[object, int]


@dataclass(frozen=True)
class QuestionResult:
    """One question's result: counts, and for numeric kinds the mean and (likert5) top-2."""

    code: str
    kind: str
    n: int
    counts: Mapping[str, int]
    mean: float | None
    mean_ci: tuple[float, float] | None
    top2: float | None
    top2_ci: tuple[float, float] | None


def question_result(counts: QuestionCounts, level: float = 0.95) -> QuestionResult:
    """The result of one question from its counts.

    >>> r = question_result(QuestionCounts("hl", "likert5", 10, {5: 4, 4: 2, 3: 2, 1: 2}))
    >>> r.n, r.mean, r.top2
    (10, 3.6, 0.6)
    """
    if counts.respondents < 0:
        raise AnalyticsError(f"{counts.code}: respondents must be >= 0, got {counts.respondents}")
    mean = ci = top2 = top2_ci = None
    if counts.kind in NUMERIC_KINDS:
        numbers = {float(v): c for v, c in counts.counts.items()}
        summary = mean_ci(numbers)
        mean, ci = summary.mean, summary.confidence_interval(level)
        if counts.kind == "likert5":
            share = top2_share(numbers)
            top2, top2_ci = share.estimate, share.confidence_interval(level)
    return QuestionResult(
        code=counts.code,
        kind=counts.kind,
        n=counts.respondents,
        counts={_key(v): int(c) for v, c in sorted(counts.counts.items(), key=_order)},
        mean=mean,
        mean_ci=ci,
        top2=top2,
        top2_ci=top2_ci,
    )


def _key(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _order(item):
    value = item[0]
    return (0, float(value), "") if isinstance(value, int | float) else (1, 0.0, str(value))


def suppressed_cells(cells: Mapping[str, int], k: int) -> frozenset[str]:
    """The cells to hide in a breakdown whose total is shown.

    Primary: every cell with 1 to k-1 respondents. Secondary: when exactly one cell is hidden,
    the smallest other non-empty cell is hidden too, so the hidden one cannot be worked out
    from the total.

    >>> sorted(suppressed_cells({"a": 40, "b": 3, "c": 12}, 5))
    ['b', 'c']
    >>> sorted(suppressed_cells({"a": 40, "b": 3, "c": 2}, 5))
    ['b', 'c']
    >>> sorted(suppressed_cells({"a": 40, "b": 0}, 5))
    []
    """
    if k < 1:
        raise AnalyticsError(f"k must be at least 1, got {k!r}")
    hidden = {cell for cell, n in cells.items() if 0 < n < k}
    if len(hidden) == 1:
        others = sorted((n, cell) for cell, n in cells.items() if cell not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    return frozenset(hidden)


@dataclass(frozen=True)
class CriterionConsistency:
    """Cronbach's alpha of a criterion's likert items over the respondents who answered all."""

    criterion: str
    items: int
    n: int
    alpha: float | None


def _pair(pair):
    return None if pair is None else [round(pair[0], 4), round(pair[1], 4)]


def _result_json(result: QuestionResult, with_counts: bool = True) -> dict:
    out = {"n": result.n}
    if with_counts:
        out["counts"] = dict(result.counts)
    if result.mean is not None:
        out["mean"] = round(result.mean, 4)
        out["ci"] = _pair(result.mean_ci)
    if result.kind == "likert5":
        out["top2"] = None if result.top2 is None else round(result.top2, 4)
        out["top2_ci"] = _pair(result.top2_ci)
    return out


def results_document(
    code: str,
    respondents: int,
    questions: Sequence[QuestionResult],
    criteria: Sequence[CriterionConsistency],
    by_unit: Mapping[str, tuple[int, Sequence[QuestionResult]]],
    k: int,
) -> dict:
    """DESIGN.md's Results JSON; villages with too few respondents are null and "suppressed"."""
    hidden = suppressed_cells({unit: n for unit, (n, _r) in by_unit.items()}, k)
    units = {}
    for unit, (n, results) in sorted(by_unit.items()):
        if unit in hidden:
            units[unit] = {"n": None, "suppressed": True, "questions": None}
        else:
            units[unit] = {
                "n": n,
                "suppressed": False,
                # Per village only means and shares: a count of one answer would point at a
                # person even in a village large enough to show.
                "questions": {
                    r.code: _result_json(r, with_counts=False)
                    for r in results
                    if r.kind in ("likert5", "nps")
                },
            }
    return {
        "survey": code,
        "n": respondents,
        "suppression_k": k,
        "questions": {r.code: _result_json(r) for r in questions},
        "criteria": {
            c.criterion: {
                "items": c.items,
                "n": c.n,
                "alpha": None if c.alpha is None else round(c.alpha, 4),
            }
            for c in criteria
        },
        "units": units,
    }
