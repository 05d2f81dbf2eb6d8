"""The annual rating: the year's evaluation, integrity checks, rule sets, kept figures and
finalization."""
