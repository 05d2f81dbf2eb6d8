"""The audit log viewer for the Inspection Committee and the office: read-only, filterable."""

from flask import Blueprint, render_template, request

from survey.accounts.access import AUDIT_ROLES, roles_required
from survey.admin import audit_words
from survey.audit import search

bp = Blueprint("audit", __name__, url_prefix="/manage/audit")


@bp.get("/")
@roles_required(*AUDIT_ROLES)
def index():
    """Entries newest first, 50 a page, each a sentence; filtered by who, kind of change,
    local dates and (in the advanced part) what the entry is about."""
    filters, bad = search.filter_from_args(request.args)
    page = request.args.get("page", 1, type=int)
    entries = search.search(filters, page=max(page, 1))
    return render_template(
        "audit/index.html",
        filters=filters,
        bad=bad,
        entries=entries,
        rows=audit_words.page_in_words(entries.items),
        people=audit_words.people_choices(),
        kinds=audit_words.kind_choices(),
        page_args={k: v for k, v in request.args.items() if k != "page" and v},
    )
