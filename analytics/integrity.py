"""Integrity flags on a survey's responses: speeders, straight-liners, bursts, duplicates, and
paper sheets beyond their share or typed faster than a person types.

The rules are here; the survey glue applies them in SQL, so that flagged responses are marked
in the database and never travel to Python one by one. The inputs are what cheap queries
give: a histogram of durations, responses per village per 10-minute window, a survey's paper
and total responses, one typist's run of sheets. Flags are evidence for the inspector, never
a verdict: the rating is computed with and without the flagged responses (the rule set says
which of the two counts), and a criterion that changes is marked sensitive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from scipy import stats as _scipy

from analytics.errors import AnalyticsError

WINDOW_SECONDS = 600


# Straight-lining: one and the same answer to this many likert questions or more.
STRAIGHT_LINE_MIN_ITEMS = 5
# Duplicates: groups of at least this many responses with exactly the same answers.
DUPLICATE_MIN_GROUP = 2


# Typing paper sheets: a run is judged from this many sheets on (one quick sheet is no run).
FAST_RUN_MIN_SHEETS = 5


@dataclass(frozen=True)
class FlagSummary:
    """What one check flagged in one survey: responses, groups of them, and their villages;
    for the paper checks, the share of paper sheets, or who typed sheets too fast (name and
    sheets)."""

    kind: str
    responses: int
    groups: int = 1
    units: tuple[str, ...] = ()
    share: float | None = None
    typists: tuple[tuple[str, int], ...] = ()


def paper_share_exceeded(paper: int, total: int, share: float) -> bool:
    """Whether a survey's `paper` sheets are more than `share` of its `total` responses.

    >>> paper_share_exceeded(300, 400, 0.5), paper_share_exceeded(50, 250, 0.5)
    (True, False)
    >>> paper_share_exceeded(10, 10, 1.0)  # a share of 1 never flags
    False
    """
    if isinstance(share, bool) or not 0 < share <= 1:
        raise AnalyticsError(f"share must be in (0, 1], got {share!r}")
    if paper < 0 or total < paper:
        raise AnalyticsError(f"paper {paper!r} must be between 0 and total {total!r}")
    return paper > share * total


def typed_too_fast(
    sheets: int, seconds: float, min_seconds: float, min_sheets: int = FAST_RUN_MIN_SHEETS
) -> bool:
    """Whether one person's run of `sheets` typed over `seconds` (from the run's first sheet to
    its last) is faster on average than `min_seconds` a sheet; judged from `min_sheets` sheets
    on. A `min_seconds` of 0 never flags.

    >>> typed_too_fast(300, 5.0, 5), typed_too_fast(20, 20 * 60, 5), typed_too_fast(4, 1, 5)
    (True, False, False)
    """
    if min_seconds < 0 or seconds < 0:
        raise AnalyticsError(f"min_seconds and seconds must be >= 0, got {min_seconds}, {seconds}")
    if not min_seconds or sheets < max(min_sheets, 2):
        return False
    return seconds / (sheets - 1) < min_seconds


@dataclass(frozen=True)
class SpeedLimit:
    """The median answering time of a survey and the limit under which a response is a speeder."""

    median_s: float
    limit_s: float


def speed_limit(
    duration_counts: Mapping[float, int], share_of_median: float = 1 / 3
) -> SpeedLimit | None:
    """A third of the median duration, from {duration in seconds: responses}.

    Responses without a duration (paper, import) are not in the counts. None with fewer than
    three timed responses.

    >>> speed_limit({280: 1, 300: 1, 320: 1, 60: 1})
    SpeedLimit(median_s=290.0, limit_s=96.7)
    """
    if not 0 < share_of_median < 1:
        raise AnalyticsError(f"share_of_median must be in (0, 1), got {share_of_median!r}")
    ordered = sorted(
        (float(d), int(c)) for d, c in duration_counts.items() if d is not None and c > 0
    )
    if any(d < 0 for d, _c in ordered):
        raise AnalyticsError("duration_counts: durations must be non-negative")
    total = sum(c for _d, c in ordered)
    if total < 3:
        return None
    median = _histogram_median(ordered, total)
    return SpeedLimit(median, round(median * share_of_median, 1))


def _histogram_median(ordered, total):
    def value_at(position):  # the value at 0-based position in the sorted sample
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        raise AssertionError("position beyond the sample")

    if total % 2:
        return value_at(total // 2)
    return (value_at(total // 2 - 1) + value_at(total // 2)) / 2


@dataclass(frozen=True)
class Window:
    """How many responses one village gave in one 10-minute window."""

    unit: str
    start: datetime
    count: int


@dataclass(frozen=True)
class Burst:
    """A window far above its village's own rate: count, expected count, P(X >= count)."""

    unit: str
    start: datetime
    count: int
    expected: float
    pvalue: float


def bursts(
    windows: Iterable[Window],
    village_totals: Mapping[str, int],
    open_windows: int,
    alpha: float = 0.001,
    min_count: int = 5,
) -> tuple[Burst, ...]:
    """Windows with far more responses than the village's own rate, by a Poisson tail test.

    The village's rate per window is its other responses spread over the other windows the
    survey was open (`open_windows` in all); a window is a burst when it holds at least
    `min_count` responses and P(X >= count) under that rate is below `alpha` divided by the
    number of windows (Bonferroni: many windows are looked at).

    >>> from datetime import datetime
    >>> w = Window("thon5", datetime(2025, 10, 3, 20, 10), 24)
    >>> [b.count for b in bursts([w], {"thon5": 60}, open_windows=4000)]
    [24]
    """
    if open_windows < 1:
        raise AnalyticsError(f"open_windows must be at least 1, got {open_windows!r}")
    if not 0 < alpha < 1:
        raise AnalyticsError(f"alpha must be in (0, 1), got {alpha!r}")
    found = []
    for window in windows:
        if window.count < min_count:
            continue
        total = village_totals.get(window.unit, window.count)
        others = max(total - window.count, 0)
        rate = others / max(open_windows - 1, 1)
        # A village with no other response at all: use half a response over the whole span,
        # so that one evening of many answers still stands out against "nothing else".
        rate = max(rate, 0.5 / open_windows)
        pvalue = float(_scipy.poisson.sf(window.count - 1, rate))
        if pvalue < alpha / open_windows:
            found.append(Burst(window.unit, window.start, window.count, round(rate, 3), pvalue))
    return tuple(found)
