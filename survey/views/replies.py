"""The public "you said, we did" page: what people wrote and what the organizations replied."""

from flask import Blueprint, make_response, render_template, request

from survey.aggregate_cache import NotReady
from survey.extensions import limiter
from survey.published_replies import published_replies
from survey.rate_limits import officer_signed_in, worker_limit
from survey.views.dashboard import RETRY_SECONDS

bp = Blueprint("replies", __name__)


@bp.get("/feedback")
# Each visit reads every published item's page and filters: anonymous visits are limited per
# address (PUBLIC_PAGE_RATE_LIMIT); officers are not.
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def index():
    """Published replies, newest first, filtered by organization and village (GET parameters)."""
    org = (request.args.get("org") or "").strip()[:64]
    unit = (request.args.get("unit") or "").strip()[:64]
    try:
        page_number = int(request.args.get("page", 1))
    except ValueError:
        page_number = 1
    try:
        page = published_replies(org_code=org, unit_code=unit, page=page_number)
    except NotReady:
        return computing()
    return render_template("replies/index.html", page=page, org=org, unit=unit)


def computing():
    """202 with a public page that reloads itself, while this worker first counts the answers
    the page needs (as the dashboards do for their figures)."""
    response = make_response(render_template("public/computing.html", seconds=RETRY_SECONDS))
    response.status_code = 202
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response
