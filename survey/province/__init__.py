"""The province: its communes compared (aggregates only)."""
