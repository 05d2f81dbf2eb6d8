"""The public "you said, we did" page: what people wrote and what the organizations replied."""

from flask import Blueprint, render_template, request

from survey.core.computing import computing_page
from survey.core.extensions import limiter
from survey.core.rate_limits import officer_signed_in, worker_limit
from survey.feedback.replies import published_replies
from survey.ratings.kept_figures import NotReady

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
        return computing_page("public/computing.html")
    return render_template("replies/index.html", page=page, org=org, unit=unit)
