"""Static files named by an address that changes with their content.

Behind nginx, browsers keep a static file a year when the page names it with `?v=`
(deploy/nginx-site.conf.in). The version is a digest of the file, so a release that changes a
script or a style sheet names it anew, and no phone keeps last release's script under this
release's page. Without nginx (`make run`) Flask serves the same files and ignores `v`.
"""

import hashlib
import os
from functools import lru_cache

from flask import current_app
from werkzeug.security import safe_join


def init_app(app):
    """Add `v=<digest>` to every url_for("static", filename=...) of this app."""
    app.url_defaults(add_version)


def add_version(endpoint, values):
    """The static file's version as the `v` argument, when the file is there."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    path = safe_join(current_app.static_folder, values["filename"])
    try:
        found = os.stat(path) if path else None
    except OSError:
        found = None
    if found is not None:
        values["v"] = content_version(path, found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=256)
def content_version(path, mtime_ns, size):
    """The first 12 hex digits of the file's SHA-256; its time and size renew the kept one."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]
