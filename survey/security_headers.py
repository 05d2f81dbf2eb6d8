"""Response headers that tell the browser what a page may do.

Content-Security-Policy allows this site's own scripts, styles and images, plus the one
pinned CDN host that serves Chart.js (none when Chart.js is served from static/vendor/); no
inline script at all (chart data travels as JSON, which is never run); inline styles only in
the printed documents, with a nonce drawn for each response. Pages may not be framed. HSTS is
sent only when the site is served over HTTPS (an https PUBLIC_BASE_URL, or
SESSION_COOKIE_SECURE), where a browser should never fall back.
"""

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g

# What no page needs: plugins, the camera, the microphone, the phone's location.
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Add the headers to every response and `csp_nonce()` to the templates."""
    app.after_request(add_headers)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})


def csp_nonce() -> str:
    """This response's nonce for an inline <style> (printed documents only)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(chartjs_url: str, nonce: str | None) -> str:
    """The policy: this site, plus the host `chartjs_url` names when it is absolute."""
    parts = urlsplit(chartjs_url)
    cdn = f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
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
    # The configuration's decision, as for Secure cookies (survey.settings): no database
    # read here, so an error page while the database is away still gets every header.
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
