"""The figure parsers behind the annual figures form and import."""

import pytest

from survey.indicators.figures import parse_count, parse_percent, percent_text


@pytest.mark.parametrize(("typed", "value"), [("0", 0), (" 12 ", 12), ("1 200", 1200)])
def test_counts_are_whole_numbers(app, typed, value):
    assert parse_count(typed) == value


@pytest.mark.parametrize("typed", ["-1", "1.200", "1,5", "12a", "", "١٢", "1e3"])
def test_anything_else_is_not_a_count(app, typed):
    with pytest.raises(ValueError):
        parse_count(typed)


@pytest.mark.parametrize("typed", ["100,01", "-0,5", "nan", "inf", "7O"])
def test_percentages_stay_within_0_and_100(app, typed):
    with pytest.raises(ValueError):
        parse_percent(typed)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.573, "57,3"), (0.7, "70"), (1.0, "100"), (0.0, "0"), (0.12345, "12,345")],
)
def test_fractions_are_shown_as_the_percent_that_was_typed(fraction, text):
    assert percent_text(fraction) == text
    assert parse_percent(text) == pytest.approx(fraction)
