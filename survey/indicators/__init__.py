"""Annual figures: the administrative numbers each organization reports for a year."""
