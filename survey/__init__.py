"""The commune survey web application, one package per domain (docs/architecture.md).

core (infrastructure) and models (the tables) lie below every domain; each domain package
holds its services, its forms and its blueprint (views); cli holds the `flask` commands.
"""
