"""The audit log viewer for the Inspection Committee and the office: read-only, filterable."""

from flask import Blueprint, render_template, request

from survey.accounts.access import AUDIT_ROLES, roles_required
from survey.audit import search
from survey.audit.trail import COMMAND_LINE

bp = Blueprint("audit", __name__, url_prefix="/manage/audit")


@bp.get("/")
@roles_required(*AUDIT_ROLES)
def index():
    """Entries newest first, 50 a page, filtered by who, action, target and local dates."""
    filters, bad = search.filter_from_args(request.args)
    page = request.args.get("page", 1, type=int)
    entries = search.search(filters, page=max(page, 1))
    return render_template(
        "audit/index.html",
        filters=filters,
        bad=bad,
        entries=entries,
        usernames=search.usernames(),
        actions=search.action_choices(),
        change_rows=search.change_rows,
        other_details=search.other_details,
        command_line=COMMAND_LINE,
        page_args={k: v for k, v in request.args.items() if k != "page" and v},
    )
