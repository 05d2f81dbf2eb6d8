"""Performance measurements (not tests): run each with `python -m benchmarks.NAME --help`."""
