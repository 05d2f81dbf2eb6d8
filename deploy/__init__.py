"""The production recipe: nginx site, gunicorn settings, systemd units, server settings."""
