"""Surveys: definitions (JSON), the builder, the ready question sets, where a survey came from."""
