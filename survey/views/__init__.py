"""Blueprints, one per module."""
