"""Pure computation for the survey platform: statistics, criteria, rule sets and ratings.

Never imports flask, flask_sqlalchemy or survey: it takes plain rows and returns dataclasses.
"""
