"""Coordination programmes and their tasks: who does what by when, feeding the rating."""
