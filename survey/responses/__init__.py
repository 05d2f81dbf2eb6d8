"""Answers: the public form, what counts as an answer, storing a response once, slips, QR
codes, imports and exports of responses, and the anonymity rules (batches, small groups)."""
