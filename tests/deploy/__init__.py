"""The production recipe in deploy/: nginx site, gunicorn settings, systemd units, servers."""
