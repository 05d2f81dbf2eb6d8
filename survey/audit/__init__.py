"""The audit trail: every change a signed-in user makes, recorded and read back."""
