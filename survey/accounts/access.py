"""Who may do what: role checks for views, and the scope of each officer.

The roles (docs/contract.md#roles): `admin` does everything; `committee` and `inspector` read
everything (the committee also finalizes ratings, the inspector changes nothing); an `org_officer`
reads and changes only its organization's surveys, indicators and feedback; a `unit_officer` only
its village's paper entry, posters and slips.

What a survey counts toward is survey.commune.about.about_pairs, the rating's own rule: an
organization's officer reads the results of every survey that counts toward its organization,
tags questions only with its own organization, and types paper sheets only into surveys about
its organization alone.
"""

from functools import wraps

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from survey.commune.about import organizations_about
from survey.core.extensions import login_manager
from survey.models import FeedbackItem

# The province's own (no commune): they read the province's pages, none of a commune's.
PROVINCE_ROLES = ("province_admin", "province_viewer")
ROLES_SIGNED_IN = (
    "admin",
    "committee",
    "inspector",
    "org_officer",
    "unit_officer",
    *PROVINCE_ROLES,
)
# Roles that read every organization's results, feedback and figures.
READ_ALL_ROLES = ("admin", "committee", "inspector")
# Roles that may enter the organizations' workspace (surveys, indicators, feedback).
ORG_READ_ROLES = (*READ_ALL_ROLES, "org_officer")
ORG_CHANGE_ROLES = ("admin", "org_officer")
# Roles that may type paper forms ("unit_officer or higher"); committee and inspector read only.
PAPER_ROLES = ("admin", "org_officer", "unit_officer")
AUDIT_ROLES = ("admin", "inspector")


def roles_required(*roles):
    """Let signed-in users with one of `roles` through; others get 403, anonymous a sign-in."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def allow(condition):
    """Stop the request with 403 unless `condition` holds (a scope check inside a view)."""
    if not condition:
        abort(403)


def may_read_organization(user, organization_id):
    """Whether `user` may read the surveys, figures and feedback of one organization."""
    if user.role in READ_ALL_ROLES:
        return True
    return user.role == "org_officer" and user.organization_id == organization_id


def may_change_organization(user, organization_id):
    """Whether `user` may change one organization's surveys, figures and feedback."""
    if user.role == "admin":
        return True
    return user.role == "org_officer" and user.organization_id == organization_id


def organization_scope(user):
    """The one organization code an officer may read, or None for readers of every one."""
    if user.role in READ_ALL_ROLES:
        return None
    return user.organization.code


def may_read_survey(user, survey):
    """Whether `user` may see a survey in the workspace and read its results."""
    if user.role in READ_ALL_ROLES:
        return True
    return user.role == "org_officer" and any(
        org.id == user.organization_id for org in survey.organizations
    )


def may_see_results(user, survey):
    """Whether `user` may read a survey's results (its results page and Results JSON): those
    who may read the survey, and the officer of every organization it counts toward (a survey
    of another organization with a question tagged to this one), read-only."""
    if may_read_survey(user, survey):
        return True
    return (
        user.role == "org_officer"
        and survey.status != "draft"
        and user.organization_id in organizations_about(survey.id)
    )


def may_tag_organization(user, organization_id):
    """Whether `user` may set or keep a question's organization `organization_id` (None:
    untagged) when writing a question: an organization's officer tags only its own."""
    if user.role == "admin":
        return True
    return user.role == "org_officer" and organization_id in (None, user.organization_id)


def tag_refusal(user, organizations):
    """Why `user` may not write a question tagged with one of `organizations` (Organization
    objects or None), in the current language; None when it may."""
    for organization in organizations:
        if organization is not None and not may_tag_organization(user, organization.id):
            return _(
                "Only the Party Committee Office tags a question with another organization "
                "(%(name)s). Leave the organization empty or choose your own.",
                name=organization.name,
            )
    return None


def may_change_survey(user, survey):
    """Whether `user` may edit, open or close a survey.

    An officer owns a survey that evaluates its organization alone; a survey about several
    organizations (the commune's supervision survey) is the office's.
    """
    if user.role == "admin":
        return True
    return (
        user.role == "org_officer"
        and len(survey.organizations) == 1
        and survey.organizations[0].id == user.organization_id
    )


def may_type_survey(user, survey):
    """Whether `user` may type paper forms of `survey` at all (for some village).

    The office and the village officers type any survey; an organization's officer only a
    survey about its organization alone: one that evaluates no other and has no question
    tagged to another (paper sheets of the commune-wide survey would rate the others)."""
    if user.role in ("admin", "unit_officer"):
        return True
    if user.role == "org_officer":
        return organizations_about(survey.id) == {user.organization_id}
    return False


def may_enter_paper(user, survey, unit):
    """Whether `user` may type paper forms of `survey` for village `unit`."""
    if not may_type_survey(user, survey) or unit is None:
        return False
    return user.role != "unit_officer" or unit.id == user.unit_id


def may_change_sheets(user, survey, unit):
    """Whether `user` may correct or withdraw the typed paper sheets of `survey` for village
    `unit`: the office, and the officers who type that village's sheets (they hold its papers);
    not an organization's officer, whose own organization the answers rate."""
    return user.role != "org_officer" and may_enter_paper(user, survey, unit)


def may_assess_itself(user, organization):
    """Whether `user` writes `organization`'s self-assessment: its own officer, or the office."""
    return user.role == "admin" or (
        user.role == "org_officer" and user.organization_id == organization.id
    )


def may_review(user, organization):
    """Whether `user` reviews `organization`'s year: the office, or for an affiliated
    organization an officer of the Fatherland Front (its standing board)."""
    if user.role == "admin":
        return True
    front = user.organization if user.role == "org_officer" else None
    return bool(front is not None and front.is_front and not organization.is_front)


def may_propose_commendations(user):
    """Whether `user` draws up the list of commendations: the office, or an officer of the
    organization that leads it (the resolution names the Youth Union's executive committee)."""
    if user.role == "admin":
        return True
    org = user.organization if user.role == "org_officer" else None
    return bool(org is not None and org.leads_commendations)


def may_decide(user):
    """Whether `user` decides the tiers and finalizes: the Standing Committee, or the office."""
    return user.role in ("admin", "committee")


def may_read_free_text(user, question_organization_id, survey_organization_ids):
    """Whether `user` may read the free-text answers to one question.

    The readers of every result read all of it; an organization's officer only the answers to
    the questions about its own organization: a question tagged to it, or an untagged question
    of a survey that evaluates it alone (an untagged question of the commune-wide survey is
    about the commune in general, not about any one organization).
    """
    if user.role in READ_ALL_ROLES:
        return True
    if user.role != "org_officer":
        return False
    if question_organization_id is not None:
        return question_organization_id == user.organization_id
    return list(survey_organization_ids) == [user.organization_id]


def withheld_text_questions(user, survey):
    """The text questions of `survey` whose answers `user` may not read, in survey order."""
    organization_ids = [o.id for o in survey.organizations]
    return [
        q
        for q in survey.questions
        if q.kind == "text" and not may_read_free_text(user, q.organization_id, organization_ids)
    ]


def feedback_item_scope(user):
    """The SQL condition on FeedbackItem for the items `user` may read: the same rule as
    may_read_free_text, since an item always carries its question's organization."""
    if user.role in READ_ALL_ROLES:
        return sa.true()
    if user.role == "org_officer":
        return FeedbackItem.organization_id == user.organization_id
    return sa.false()


def may_read_programme(user, programme):
    """Whether `user` may read a coordination programme and its tasks: the readers of every
    organization, and the officers of the organizations that are its parties (each party sees
    the others' tasks: they coordinate)."""
    if user.role in READ_ALL_ROLES:
        return True
    return user.role == "org_officer" and any(
        party.id == user.organization_id for party in programme.parties
    )


def may_add_task(user, programme):
    """Whether `user` may add tasks to `programme`: the office, or the officer of a party (for
    its own organization only)."""
    return user.role == "admin" or (
        user.role == "org_officer" and may_read_programme(user, programme)
    )


def may_change_task(user, task):
    """Whether `user` may change a task, write its progress notes and move its state: the
    office, or the officer of the task's organization (survey.programmes.task_steps holds what
    each may do to a finished or overdue task)."""
    return may_change_organization(user, task.organization_id)
