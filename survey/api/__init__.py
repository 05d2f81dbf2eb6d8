"""JSON for signed-in roles."""
