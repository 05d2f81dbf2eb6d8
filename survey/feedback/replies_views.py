"""The public "you said, we did" page: what people wrote and what the organizations replied."""

from flask import Blueprint, abort, render_template, request

from survey.core.computing import computing_page
from survey.core.extensions import limiter
from survey.core.i18n import select_locale
from survey.core.rate_limits import officer_signed_in, worker_limit
from survey.core.tenancy import current_commune_id
from survey.feedback.follow_up import public_photo
from survey.feedback.replies import published_replies
from survey.programmes.evidence import file_response
from survey.ratings.kept_figures import NotReady
from survey.responses import link_cards

bp = Blueprint("replies", __name__)
# A published photo may be kept by browsers a while (weak connections see a page again without
# fetching its photos); one taken off the public page is gone for them within this time.
PHOTO_SECONDS = 600
# How many of a survey's published items its receipt page shows (newest first).
RECEIPT_REPLIES = 5


@bp.app_context_processor
def receipt_replies():
    """`published_replies_of_survey(survey_id)` for the receipt page (/r/<receipt>, in the
    responses package, which sits below this one and cannot ask for them itself)."""
    return {
        "published_replies_of_survey": _published_of_survey,
        "replies_link_card": link_cards.replies_card,
    }


def _published_of_survey(survey_id):
    """A page of the survey's published items; None while the villages they may name are
    first worked out (the page then links to /feedback instead)."""
    try:
        return published_replies(survey_id=survey_id, per_page=RECEIPT_REPLIES)
    except NotReady:
        return None


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


@bp.get("/feedback/evidence/<int:evidence_id>")
def evidence(evidence_id):
    """A photo the officers published with a task that answers a published feedback item: its
    small preview, or the photo itself with `?full=1`; 404 for anything else. Not limited per
    address as the pages are: one indexed lookup, and a page of replies asks for many."""
    photo = public_photo(evidence_id)
    if photo is None:
        abort(404)
    return file_response(
        photo, preview=request.args.get("full") != "1", public_seconds=PHOTO_SECONDS
    )


@bp.get("/feedback/preview.png")
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def preview_image():
    """The published replies' link preview card (1200×630 PNG): the commune's (?xa=) name and
    the QR code of this page, in ?lang=."""
    words = link_cards.replies_words()
    name = f"replies-{current_commune_id()}-{select_locale()}"
    return link_cards.png_response(name, words)
