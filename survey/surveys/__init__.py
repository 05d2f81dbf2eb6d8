"""Surveys: definitions (JSON), the builder, the ready question sets, the public catalog."""
