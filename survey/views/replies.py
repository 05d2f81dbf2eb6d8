"""The public "you said, we did" page: what people wrote and what the organizations replied."""

from flask import Blueprint, render_template, request

from survey.published_replies import published_replies

bp = Blueprint("replies", __name__)


@bp.get("/feedback")
def index():
    """Published replies, newest first, filtered by organization and village (GET parameters)."""
    org = (request.args.get("org") or "").strip()[:64]
    unit = (request.args.get("unit") or "").strip()[:64]
    try:
        page_number = int(request.args.get("page", 1))
    except ValueError:
        page_number = 1
    page = published_replies(org_code=org, unit_code=unit, page=page_number)
    return render_template("replies/index.html", page=page, org=org, unit=unit)
