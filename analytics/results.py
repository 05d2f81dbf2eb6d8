"""A survey's results per question and per village, with small cells suppressed.

Inputs are counts from GROUP BY queries; outputs are frozen dataclasses and, through
`results_document`, the Results JSON (docs/contract.md#results-json).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def suppressed_cells(
    cells: Mapping[str, int], k: int, hidden: Iterable[str] = ()
) -> frozenset[str]:
    """The cells to hide in a breakdown whose total is shown: the one rule of suppression.

    Primary: every cell with 1 to k-1 respondents, and the cells of `hidden` (hidden for
    another reason, e.g. a village hidden from the whole survey). Secondary: when exactly one
    hidden cell holds anyone, the smallest other non-empty cell is hidden too, so the hidden
    one cannot be worked out from the total.

    >>> sorted(suppressed_cells({"a": 40, "b": 3, "c": 12}, 5))
    ['b', 'c']
    >>> sorted(suppressed_cells({"a": 40, "b": 3, "c": 2}, 5))
    ['b', 'c']
    >>> sorted(suppressed_cells({"a": 40, "b": 0}, 5))
    []
    >>> sorted(suppressed_cells({"a": 40, "b": 3, "c": 12, "d": 0}, 5, hidden={"d"}))
    ['b', 'c', 'd']
    """
    if k < 1:
        raise AnalyticsError(f"k must be at least 1, got {k!r}")
    hidden = {cell for cell, n in cells.items() if 0 < n < k} | (set(hidden) & set(cells))
    if sum(1 for cell in hidden if cells[cell] > 0) == 1:
        others = sorted((n, cell) for cell, n in cells.items() if cell not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    return frozenset(hidden)


def flags_without_hidden_villages(
    flags: Sequence[Mapping], hidden: Mapping[str, Iterable[str]]
) -> list[dict]:
    """Integrity flags (survey, kind, responses, groups, units) with the villages that
    `hidden` (survey code -> village codes) hides replaced by None; a flag whose villages are
    all hidden shows no count either, since the count would be theirs.

    >>> flags_without_hidden_villages(
    ...     [{"survey": "s", "kind": "burst", "responses": 6, "groups": 1, "units": ["a"]}],
    ...     {"s": {"a"}},
    ... )
    [{'survey': 's', 'kind': 'burst', 'responses': None, 'groups': 1, 'units': [None]}]
    """
    out = []
    for flag in flags:
        secret = set(hidden.get(flag["survey"], ()))
        units = [None if unit is None or unit in secret else unit for unit in flag["units"]]
        all_hidden = bool(units) and all(unit is None for unit in units)
        out.append(dict(flag, units=units, responses=None if all_hidden else flag["responses"]))
    return out


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
    out = {"n": result.n, "suppressed": False}
    if with_counts:
        out["counts"] = dict(result.counts)
    if result.mean is not None:
        out["mean"] = round(result.mean, 4)
        out["ci"] = _pair(result.mean_ci)
    if result.kind == "likert5":
        out["top2"] = None if result.top2 is None else round(result.top2, 4)
        out["top2_ci"] = _pair(result.top2_ci)
    return out


HIDDEN_RESULT = {"n": None, "suppressed": True}
PER_UNIT_KINDS = ("likert5", "nps")


def _hidden_per_unit(
    by_unit: Mapping[str, tuple[int, Sequence[QuestionResult]]], hidden_units, k: int
) -> dict[str, frozenset[str]]:
    """Per question code, the villages whose cell of it is hidden: the rule of
    suppressed_cells over the question's respondents per village, the hidden villages
    counting as hidden cells."""
    cells: dict[str, dict[str, int]] = {}
    for unit, (_n, results) in by_unit.items():
        for r in results:
            if r.kind in PER_UNIT_KINDS:
                cells.setdefault(r.code, {})[unit] = r.n
    return {
        code: suppressed_cells({u: per.get(u, 0) for u in by_unit}, k, hidden=hidden_units)
        for code, per in cells.items()
    }


def results_document(
    code: str,
    respondents: int,
    questions: Sequence[QuestionResult],
    criteria: Sequence[CriterionConsistency],
    by_unit: Mapping[str, tuple[int, Sequence[QuestionResult]]],
    k: int,
) -> dict:
    """The Results JSON, small groups hidden by one rule (suppressed_cells): a
    question answered by fewer than k respondents, a village with fewer than k (and the one
    that would give it away), a village's cell of a question with fewer than k answers (and
    the one that would give it away) are null and "suppressed"."""
    hidden = suppressed_cells({unit: n for unit, (n, _r) in by_unit.items()}, k)
    small = {r.code for r in questions if 0 < r.n < k}
    per_unit = _hidden_per_unit(by_unit, hidden, k)
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
                    r.code: dict(HIDDEN_RESULT)
                    if r.code in small or unit in per_unit.get(r.code, ())
                    else _result_json(r, with_counts=False)
                    for r in results
                    if r.kind in PER_UNIT_KINDS
                },
            }
    return {
        "survey": code,
        "n": respondents,
        "suppression_k": k,
        "questions": {
            r.code: dict(HIDDEN_RESULT) if r.code in small else _result_json(r) for r in questions
        },
        "criteria": {
            c.criterion: {"items": c.items, "n": None, "alpha": None, "suppressed": True}
            if 0 < c.n < k
            else {
                "items": c.items,
                "n": c.n,
                "alpha": None if c.alpha is None else round(c.alpha, 4),
                "suppressed": False,
            }
            for c in criteria
        },
        "units": units,
    }
