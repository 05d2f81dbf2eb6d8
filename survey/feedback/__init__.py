"""Feedback: the organizations' inbox and the public "you said, we did" replies."""
