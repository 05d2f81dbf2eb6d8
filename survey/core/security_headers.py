"""Response headers that tell the browser what a page may do.

Content-Security-Policy allows this site's own scripts, styles and images, plus the one
pinned Chart.js file on its CDN, by its full address, when pages load it from there (nothing
else of that host; nothing outside when Chart.js is this site's copy in static/vendor/, the
default whenever it is there: survey/core/chartjs.py); no
inline script at all (chart data travels as JSON, which is never run); inline styles only in
the printed documents, with a nonce drawn for each response. Pages may not be framed. HSTS is
sent only when the site is served over HTTPS (an https PUBLIC_BASE_URL, or
SESSION_COOKIE_SECURE), where a browser should never fall back.
"""

import re
import secrets
from urllib.parse import quote, urlsplit

from flask import Flask, current_app, g

# What no page needs: plugins, the camera, the microphone, the phone's location.
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?")
# What a CSP path keeps as it is; anything else (";", ",", spaces, quotes) is percent-encoded,
# so the configured address cannot end a directive or add a source.
PATH_SAFE = "/:@!$&()*+=~"


def init_app(app: Flask) -> None:
    """Add the headers to every response and `csp_nonce()` to the templates."""
    app.after_request(add_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})


def csp_nonce() -> str:
    """This response's nonce for an inline <style> (printed documents only)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def script_source(chartjs_url: str) -> str:
    """The CSP source for the Chart.js file: its exact address when it is on another host
    (a source with a path allows that one file), "" when it is this site's own.

    >>> script_source("https://cdn.jsdelivr.net/npm/chart.js@4.5.1/dist/chart.umd.min.js?v=1")
    'https://cdn.jsdelivr.net/npm/chart.js@4.5.1/dist/chart.umd.min.js'
    >>> script_source("/static/vendor/chart.umd.min.js")
    ''
    """
    parts = urlsplit(chartjs_url)
    if not parts.netloc or not HOST.fullmatch(parts.netloc):
        return ""  # this site's own copy ('self'), or no host a browser would load from
    scheme = f"{parts.scheme}://" if parts.scheme in ("http", "https") else ""
    if parts.scheme and not scheme:
        return ""
    return scheme + parts.netloc + quote(parts.path, safe=PATH_SAFE)


def content_security_policy(chartjs_url: str, nonce: str | None) -> str:
    """The policy: this site, plus the one file `chartjs_url` names when it is elsewhere."""
    source = script_source(chartjs_url)
    cdn = f" {source}" if source else ""
    style = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{cdn}",
            f"style-src {style}",
            "img-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# The builder's audio page records from the microphone and plays the recording back before it
# is kept (a blob: address): that page alone may.
RECORDING_PERMISSIONS = PERMISSIONS.replace("microphone=()", "microphone=(self)")


def allow_recording(response):
    """Let this page use the microphone and play what it recorded (before add_headers)."""
    nonce = g.get("csp_nonce")
    policy = content_security_policy(current_app.config["CHARTJS_URL"], nonce)
    response.headers["Content-Security-Policy"] = policy + "; media-src 'self' blob:"
    response.headers["Permissions-Policy"] = RECORDING_PERMISSIONS
    return response


def add_headers(response):
    """Set the security headers that the view has not set itself."""
    headers = response.headers
    nonce = g.get("csp_nonce")
    headers.setdefault(
        "Content-Security-Policy",
        content_security_policy(current_app.config["CHARTJS_URL"], nonce),
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    # The configuration's decision, as for Secure cookies (survey.core.settings): no database
    # read here, so an error page while the database is away still gets every header.
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
