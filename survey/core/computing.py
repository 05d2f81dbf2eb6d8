"""The answer while a worker computes kept figures for the first time (seconds for a large year):
no reader waits for it; 202 with Retry-After, and a page that reloads itself or a JSON status."""

from flask import jsonify, make_response, render_template

RETRY_SECONDS = 5


def computing_page(template="dashboard/computing.html"):
    """202 with `template` (an officer's page or the public one), which reloads itself."""
    response = make_response(render_template(template, seconds=RETRY_SECONDS))
    return _retry_later(response)


def computing_json():
    """202 {"status": "computing", "retry_after": seconds}: ask again then."""
    return _retry_later(jsonify(status="computing", retry_after=RETRY_SECONDS))


def _retry_later(response):
    response.status_code = 202
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response
