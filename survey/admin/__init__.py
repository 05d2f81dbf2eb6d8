"""Administration for the Party Committee Office: users, villages, organizations, settings."""
