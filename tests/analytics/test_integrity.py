"""Integrity flags: each on data built to trip it, and on data that must not."""

import math
from datetime import datetime, timedelta

import pytest

from analytics.errors import AnalyticsError
from analytics.integrity import (
    Window,
    bursts,
    duplicates,
    flagged_ids,
    speeders,
    straight_liners,
)


def poisson_tail(k, mu):
    # Reference: P(X >= k) = 1 - sum_{i<k} e^-mu mu^i / i!, written out (not scipy).
    return 1 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))


def test_speeders_are_under_a_third_of_the_median():
    durations = {1: 240, 2: 300, 3: 360, 4: 99, 5: 101, 6: None}
    flag = speeders(durations)
    # median of 99, 101, 240, 300, 360 = 240; limit 80: nobody under it.
    assert flag is None
    durations[7] = 79
    flag = speeders(durations)
    # median of six known values (79, 99, 101, 240, 300, 360) = 170.5; limit 56.8.
    assert flag is None
    durations[8] = 30
    flag = speeders(durations)
    assert flag.response_ids == (8,)
    assert flag.detail["median_s"] == 101


def test_speeders_need_a_few_durations_and_a_sensible_share():
    assert speeders({1: 10, 2: 300}) is None
    with pytest.raises(AnalyticsError, match="share_of_median"):
        speeders({1: 1}, share_of_median=2)


def test_straight_lining_counts_from_five_items():
    rows = [(1, 5, 1), (2, 4, 1), (3, 8, 2), (4, 12, 1)]
    assert straight_liners(rows).response_ids == (1, 4)
    assert straight_liners(rows, min_items=4).response_ids == (1, 2, 4)
    assert straight_liners([(1, 5, 2)]) is None


def _steady_village(start, windows, every):
    return [
        Window("thon1", start + timedelta(minutes=10 * i), (i,)) for i in range(0, windows, every)
    ]


def test_a_burst_against_the_village_own_rate_is_flagged_with_its_tail_probability():
    start = datetime(2025, 10, 1, 7, 0)
    steady = _steady_village(start, 2000, 20)  # 100 responses over 2000 windows
    burst = Window("thon1", start + timedelta(days=5), tuple(range(10_000, 10_008)))
    flags = bursts([*steady, burst], {"thon1": 108}, open_windows=2000)
    assert len(flags) == 1
    flag = flags[0]
    assert flag.unit == "thon1" and flag.response_ids == burst.response_ids
    mu = 100 / 1999
    assert flag.detail["pvalue"] == pytest.approx(poisson_tail(8, mu), rel=1e-6)


def test_a_busy_village_meeting_is_not_a_burst_where_answers_are_usually_many():
    start = datetime(2025, 10, 1, 7, 0)
    window = Window("thon2", start, tuple(range(6)))
    # thon2: 3,000 responses over 2,000 windows -> 1.5 per window; 6 is not extreme enough
    # after the Bonferroni correction (p = 0.0045 > 0.001 / 2000).
    assert poisson_tail(6, 2994 / 1999) > 0.001 / 2000
    assert bursts([window], {"thon2": 3000}, open_windows=2000) == ()


def test_small_windows_are_never_bursts():
    window = Window("kdung", datetime(2025, 10, 1), (1, 2, 3, 4))
    assert bursts([window], {"kdung": 4}, open_windows=5000) == ()


def test_exact_duplicates_group_by_digest():
    flags = duplicates([("aaa", [5, 2, 9]), ("bbb", [4]), ("ccc", [7, 8])])
    assert [f.response_ids for f in flags] == [(2, 5, 9), (7, 8)]
    assert flagged_ids([*flags, None, straight_liners([(1, 5, 1)])]) == {1, 2, 5, 7, 8, 9}
