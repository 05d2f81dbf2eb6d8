"""Rate limits that hold for the whole site, however many workers serve it.

Flask-Limiter counts in RATELIMIT_STORAGE_URI. With Redis (several workers or hosts) every
worker adds to one count, and a limit is the configured one. With memory:// each worker counts
on its own: a visitor whose requests gunicorn spreads over four workers would get four times
the limit, so each worker enforces its share (the configured number divided by the number of
workers, WORKERS or gunicorn's WEB_CONCURRENCY), and the shares add up to the configured limit.

An address is counted as the phone or computer behind it: an IPv4 address as it is, an IPv6
address by its /64 network (a phone is handed a whole /64 and may use any address in it).
"""

import ipaddress
import os

from flask import current_app, request
from flask_login import current_user
from limits import parse_many


def worker_count():
    """How many worker processes serve the site: WORKERS, else WEB_CONCURRENCY, else 1."""
    # Checked at start (survey.core.settings): a whole number from 1.
    return int(current_app.config.get("WORKERS") or os.environ.get("WEB_CONCURRENCY") or 1)


def counted_per_worker():
    """Whether each worker keeps its own counts (memory storage)."""
    return current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")


def share(limit, workers):
    """The part of `limit` one of `workers` enforces when each counts alone; at least 1.

    >>> share("30 per minute", 2)
    '15 per 1 minute'
    >>> share("5 per 15 minutes;100/day", 3)
    '1 per 15 minute;33 per 1 day'
    >>> share("30 per minute", 1)
    '30 per minute'
    """
    if workers == 1:
        return limit
    return ";".join(
        f"{max(1, item.amount // workers)} per {item.multiples} {item.GRANULARITY.name}"
        for item in parse_many(limit)
    )


def worker_limit(config_key):
    """A limit for Flask-Limiter: the configured `config_key`, as this worker enforces it."""

    def limit():
        configured = current_app.config[config_key]
        return share(configured, worker_count()) if counted_per_worker() else configured

    return limit


def officer_signed_in():
    """For `exempt_when`: the limits of public pages are for anonymous visitors."""
    return current_user.is_authenticated


def address_key():
    """The client's address as a rate-limit key (an IPv6 address by its /64 network); it is
    held only in the limiter's storage, never written to the database or the logs."""
    return network_of(request.remote_addr or "127.0.0.1")


def network_of(address):
    """
    >>> network_of("203.0.113.9")
    '203.0.113.9'
    >>> network_of("2001:db8:0:1:a:b:c:d")
    '2001:db8:0:1::/64'
    >>> network_of("::ffff:203.0.113.9")
    '203.0.113.9'
    >>> network_of("not an address")
    'not an address'
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:203.0.113.9 is that IPv4 address
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
