"""The commune itself: its settings, its villages and its organizations."""
