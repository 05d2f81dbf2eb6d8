"""Integrity flags: each on data built to trip it, and on data that must not."""

import math
from datetime import datetime, timedelta

import pytest

from analytics.errors import AnalyticsError
from analytics.integrity import (
    SpeedLimit,
    Window,
    bursts,
    paper_share_exceeded,
    speed_limit,
    typed_too_fast,
)


def poisson_tail(k, mu):
    # Reference: P(X >= k) = 1 - sum_{i<k} e^-mu mu^i / i!, written out (not scipy).
    return 1 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))


def test_speed_limit_is_a_third_of_the_median_of_the_durations():
    # median of 99, 101, 240, 300, 360 = 240 -> limit 80.
    assert speed_limit({240: 1, 300: 1, 360: 1, 99: 1, 101: 1}) == SpeedLimit(240, 80)
    # even count: median of 79, 99, 101, 240, 300, 360 = (101 + 240) / 2 = 170.5.
    assert speed_limit({79: 1, 99: 1, 101: 1, 240: 1, 300: 1, 360: 1}).median_s == 170.5
    # counts: 10 answers of 60 s and 11 of 600 s -> the 11th value (600) is the median.
    assert speed_limit({60: 10, 600: 11}).median_s == 600


def test_speed_limit_needs_three_durations_and_a_sensible_share():
    assert speed_limit({10: 1, 300: 1}) is None
    with pytest.raises(AnalyticsError, match="share_of_median"):
        speed_limit({1: 5}, share_of_median=2)


def _steady_village(start, windows, every):
    return [Window("thon1", start + timedelta(minutes=10 * i), 1) for i in range(0, windows, every)]


def test_a_burst_against_the_village_own_rate_is_flagged_with_its_tail_probability():
    start = datetime(2025, 10, 1, 7, 0)
    steady = _steady_village(start, 2000, 20)  # 100 responses over 2000 windows
    window = Window("thon1", start + timedelta(days=5), 8)
    found = bursts([*steady, window], {"thon1": 108}, open_windows=2000)
    assert len(found) == 1
    burst = found[0]
    assert (burst.unit, burst.count) == ("thon1", 8)
    mu = 100 / 1999
    assert burst.pvalue == pytest.approx(poisson_tail(8, mu), rel=1e-6)


def test_a_busy_village_meeting_is_not_a_burst_where_answers_are_usually_many():
    start = datetime(2025, 10, 1, 7, 0)
    window = Window("thon2", start, 6)
    # thon2: 3,000 responses over 2,000 windows -> 1.5 per window; 6 is not extreme enough
    # after the Bonferroni correction (p = 0.0045 > 0.001 / 2000).
    assert poisson_tail(6, 2994 / 1999) > 0.001 / 2000
    assert bursts([window], {"thon2": 3000}, open_windows=2000) == ()


def test_small_windows_are_never_bursts():
    window = Window("kdung", datetime(2025, 10, 1), 4)
    assert bursts([window], {"kdung": 4}, open_windows=5000) == ()


def test_integrity_summary_lists_what_was_found():
    from analytics.integrity import FlagSummary
    from analytics.report import integrity_summary

    flags = [
        FlagSummary("burst", 11, 2, ("thon5",)),
        FlagSummary("duplicate", 4, 2),
        FlagSummary("speeder", 0, 0),
    ]
    summary = integrity_summary([("hl-2025", flags), ("gs-2025", [])])
    assert summary == [
        {"survey": "hl-2025", "kind": "burst", "responses": 11, "groups": 2, "units": ["thon5"]},
        {"survey": "hl-2025", "kind": "duplicate", "responses": 4, "groups": 2, "units": []},
    ]


def test_paper_sheets_beyond_the_share_are_flagged_and_a_share_of_one_never():
    assert paper_share_exceeded(51, 100, 0.5) and not paper_share_exceeded(50, 100, 0.5)
    assert not paper_share_exceeded(0, 0, 0.5)
    assert not paper_share_exceeded(100, 100, 1.0)
    with pytest.raises(AnalyticsError, match="share must be in"):
        paper_share_exceeded(1, 2, 0)
    with pytest.raises(AnalyticsError, match="between 0 and total"):
        paper_share_exceeded(3, 2, 0.5)


def test_a_run_faster_than_a_person_types_is_judged_from_its_fifth_sheet():
    # 300 sheets in 5 seconds; 20 sheets at 60 s each; four sheets at once is no run yet.
    assert typed_too_fast(300, 5.0, 5)
    assert not typed_too_fast(20, 19 * 60, 5)
    assert not typed_too_fast(4, 0.1, 5) and typed_too_fast(5, 0.1, 5)
    # The average interval: 5 sheets over 4 intervals of 4.9 s is too fast, of 5 s is not.
    assert typed_too_fast(5, 4 * 4.9, 5) and not typed_too_fast(5, 4 * 5.0, 5)
    assert not typed_too_fast(300, 1.0, 0)  # 0 turns the check off
    with pytest.raises(AnalyticsError):
        typed_too_fast(5, -1, 5)
