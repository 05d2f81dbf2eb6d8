"""The officers' workspace home: what this role may do, one link per task."""

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.accounts.access import (
    AUDIT_ROLES,
    ORG_READ_ROLES,
    PAPER_ROLES,
    PROVINCE_ROLES,
    ROLES_SIGNED_IN,
    roles_required,
)
from survey.feedback.waiting import waiting_counts
from survey.models.vocabulary import ROLE_NAMES
from survey.programmes.reminders import REMIND_DAYS, SHOWN, reminders_for

bp = Blueprint("manage", __name__, url_prefix="/manage")

# The workspace sections: endpoint, title, what it is for, the roles that may open it.
SECTIONS = (
    (
        "dashboard.index",
        _l("Dashboards"),
        _l("Ratings, criteria and answers at a glance, with charts."),
        ORG_READ_ROLES,
    ),
    ("builder.index", _l("Surveys"), _l("Build, open and close surveys."), ORG_READ_ROLES),
    (
        "indicators.index",
        _l("Annual figures"),
        _l("Members, meetings, attendance, campaigns, supervision."),
        ORG_READ_ROLES,
    ),
    (
        "dialogues.index",
        _l("Dialogues and voter contacts"),
        _l("Meetings with the people and voters, the issues raised and what came of them."),
        ORG_READ_ROLES,
    ),
    (
        "inbox.index",
        _l("Feedback"),
        _l("What members and citizens wrote, and the replies."),
        ORG_READ_ROLES,
    ),
    (
        "programmes.index",
        _l("Coordination programmes"),
        _l("Who does what by when: the programmes' tasks and their progress."),
        ORG_READ_ROLES,
    ),
    (
        "paper.index",
        _l("Paper forms"),
        _l("Type paper forms; print invitation slips."),
        PAPER_ROLES,
    ),
    (
        "ratings.index",
        _l("Annual ratings"),
        _l("Each organization's criteria, score and tier; finalizing the year."),
        ORG_READ_ROLES,
    ),
    ("audit.index", _l("Audit log"), _l("Who changed what, and when."), AUDIT_ROLES),
    (
        "province.index",
        _l("The province's communes"),
        _l("Each commune's ratings and satisfaction, side by side, with their uncertainty."),
        PROVINCE_ROLES,
    ),
    (
        "province_office.index",
        _l("Communes and their administrators"),
        _l("Make the province's communes and their administrators' accounts."),
        ("province_admin",),
    ),
    (
        "province_rules.index",
        _l("The province's default rule set"),
        _l("The rating's points, tiers and criteria every commune starts from."),
        ("province_admin",),
    ),
    (
        "admin.index",
        _l("Administration"),
        _l("Users, villages, organizations, commune settings."),
        ("admin",),
    ),
)


@bp.app_context_processor
def workspace_sections():
    """`sections()` in templates: the workspace sections the signed-in officer may open."""

    def sections():
        if not current_user.is_authenticated:
            return []
        return [
            (endpoint, title, purpose)
            for endpoint, title, purpose, roles in SECTIONS
            if current_user.role in roles and endpoint in current_app.view_functions
        ]

    return {"sections": sections, "role_names": ROLE_NAMES}


@bp.get("/")
@roles_required(*ROLES_SIGNED_IN)
def index():
    """The sections of the workspace open to the signed-in officer, with the feedback that
    waits for this officer's answer and the tasks due soon or overdue."""
    waiting = waiting_counts(current_user) if current_user.role in ORG_READ_ROLES else None
    tasks = reminders_for(current_user)
    return render_template(
        "manage/index.html", waiting=waiting, tasks=tasks, shown=SHOWN, remind_days=REMIND_DAYS
    )
