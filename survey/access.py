"""Who may do what: role checks for views, and the scope of each officer."""

from functools import wraps

from flask import abort
from flask_login import current_user

from survey.extensions import login_manager

# Roles that may type paper forms ("unit_officer or higher"); committee and inspector read only.
PAPER_ROLES = ("admin", "org_officer", "unit_officer")


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


def may_type_survey(user, survey):
    """Whether `user` may type paper forms of `survey` at all (for some village)."""
    if user.role in ("admin", "unit_officer"):
        return True
    if user.role == "org_officer":
        return any(org.id == user.organization_id for org in survey.organizations)
    return False


def may_enter_paper(user, survey, unit):
    """Whether `user` may type paper forms of `survey` for village `unit`."""
    if not may_type_survey(user, survey) or unit is None:
        return False
    return user.role != "unit_officer" or unit.id == user.unit_id
