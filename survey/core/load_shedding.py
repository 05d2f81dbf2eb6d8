"""Refuse at once, with 503, a request that waited too long before a worker could take it.

When more phones send answers than the workers can store, requests queue in front of them. A
phone whose request waited past QUEUE_TIMEOUT_SECONDS has most likely given up already (the
form's JavaScript keeps the answers after 30 s and sends them again): working on it would only
make the queue longer for everyone. It gets the 503 page and Retry-After instead, at once, and
its answers are sent again later, under the same submission_uid.

The waiting time comes from the reverse proxy, which stamps each request as it arrives
(nginx: `proxy_set_header X-Request-Start "t=${msec}";`). It is read only when TRUSTED_PROXIES
says a proxy is there; without one, nothing is refused here.
"""

import time

from flask import current_app, request

from survey.core.errors import unavailable


def init_app(app):
    """Check, before anything else, how long each request has waited."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_if_waited_too_long)


def refuse_if_waited_too_long():
    """The 503 page when the proxy's stamp is older than QUEUE_TIMEOUT_SECONDS."""
    limit = current_app.config["QUEUE_TIMEOUT_SECONDS"]
    if not limit or not current_app.config["TRUSTED_PROXIES"]:
        return None
    arrived = arrival_time(request.headers.get("X-Request-Start", ""))
    if arrived is None or time.time() - arrived <= limit:
        return None
    return unavailable()


def arrival_time(stamp):
    """Seconds since the epoch from an X-Request-Start value, or None when unreadable.

    Proxies write seconds ("t=1764230400.123", nginx), milliseconds or microseconds.

    >>> arrival_time("t=1764230400.123")
    1764230400.123
    >>> arrival_time("1764230400123")
    1764230400.123
    >>> arrival_time("t=1764230400123456")
    1764230400.123456
    >>> arrival_time("soon") is None
    True
    """
    try:
        value = float(stamp.strip().removeprefix("t="))
    except ValueError:
        return None
    for scale in (1, 1e3, 1e6):
        if value / scale < 1e11:  # seconds since 1970 stay below 1e11 for 3,000 years
            return value / scale
    return None
