"""The one exception analytics raises for bad input."""


class AnalyticsError(ValueError):
    """Bad input to an analytics function; the message names the argument and the value."""
