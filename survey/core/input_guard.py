"""Refuse requests carrying a NUL character before any view reads them.

No one types a NUL on a phone or a keyboard; it comes from broken clients or probes, and
PostgreSQL cannot store it in text (the query would fail with a 500). Such a request gets a
400 page that says what to do, whatever form, query string or path it came in.
"""

from flask import abort, request


def init_app(app):
    """Check every request's path arguments, query string and form fields."""
    app.before_request(refuse_nul)


def refuse_nul():
    """400 when a path argument, query value or form field holds a NUL character."""
    values = [*(request.view_args or {}).values(), *request.args.values()]
    keys = [*request.args.keys()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += request.form.values()
        keys += request.form.keys()
    if any("\x00" in v for v in [*values, *keys] if isinstance(v, str)):
        abort(400)
