"""Paper forms typed in by village officers, with optional double entry."""
