"""Dialogues and voter-contact meetings (Nghị quyết III.5): planned, held, the issues people
raised there, answered on the spot or made tasks of a coordination programme; and what the
annual figures and the rating read of them."""
