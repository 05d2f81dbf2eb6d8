"""Where a `?next=` argument may send the browser: a path of this site, never another host."""

from urllib.parse import urlsplit


def local_path(target):
    """`target` as a path of this site, or None when a browser could read it as another host.

    Browsers drop tabs and newlines anywhere in an address and read a backslash as a slash, so
    `/<tab>/evil.example` and `/\\evil.example` both lead to evil.example: both are refused.

    >>> local_path("/manage/?page=2")
    '/manage/?page=2'
    >>> [local_path(t) for t in ("//evil.example", "/\\t/evil.example", "/\\\\evil.example")]
    [None, None, None]
    >>> [local_path(t) for t in ("https://evil.example/", " /x", "", None)]
    [None, None, None, None]
    """
    if not target:
        return None
    path = target.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    if not path.startswith("/") or path.startswith("//"):
        return None
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return None
    return path
