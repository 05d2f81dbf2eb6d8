"""Officer accounts: create, change, deactivate, reactivate, reset a password.

Used by the administration pages and by `flask user ...`. Every change is audited with the
values before and after; passwords and their hashes never reach the log. Deactivation and a
password reset end every session the user had (sign_ins.end_all).
"""

import re
import secrets
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from survey.accounts import sign_ins
from survey.audit import trail
from survey.core.extensions import db
from survey.core.tenancy import across_communes, current_commune_id
from survey.core.text_safety import strip_control
from survey.models import User
from survey.models.vocabulary import PROVINCE_ROLES

MIN_PASSWORD_LENGTH = 10
# What a username may hold: letters without accents, digits, dots, dashes and underscores.
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# An e-mail address as mail servers take it: a name, one @, a domain of dotted labels; no
# spaces, accents or line breaks (nothing that could add a header to a message).
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
EMAIL_LENGTH = 254


class AccountRefused(ValueError):
    """A change the rules do not allow; `reason` is a short English key the caller words."""

    def __init__(self, reason, field=None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def users():
    """Every account: active ones first, then by role and username."""
    return db.session.scalars(
        sa.select(User)
        .options(selectinload(User.organization), selectinload(User.unit))
        .order_by(User.active.desc(), User.role, User.username)
    ).all()


def user_by_username(username):
    """The account with this username (any case), or None: in any commune, since a
    username signs in without naming its commune."""
    with across_communes():
        return db.session.scalar(
            sa.select(User).where(sa.func.lower(User.username) == username.lower())
        )


def authenticate(username, password):
    """The active account with this username (any case) and password, or None.

    Every attempt spends one scrypt check, on the account's hash or, for an unknown username,
    on a fixed hash made once: how long the answer takes does not tell which usernames exist
    (nor which are deactivated).
    """
    user = user_by_username(username.strip())
    matches = check_password_hash(user.password_hash if user else _unknown_user_hash(), password)
    return user if user is not None and user.active and matches else None


@cache
def _unknown_user_hash():
    """A scrypt hash, with the parameters of every stored one, of a password nobody knows."""
    return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")


def username_taken(username, except_id=None):
    """Whether another account already has this username (any case), in any commune: a
    username signs in without naming its commune."""
    query = sa.select(User.id).where(sa.func.lower(User.username) == username.lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    with across_communes():
        return db.session.scalar(query) is not None


def binding_problem(role, organization, unit):
    """Why this role cannot have this organization and village, or None.

    An organization officer needs an organization, a village officer a village; no other role
    is bound to either.
    """
    if role == "org_officer":
        if organization is None:
            return "organization required"
        if unit is not None:
            return "no village"
    elif role == "unit_officer":
        if unit is None:
            return "village required"
        if organization is not None:
            return "no organization"
    elif organization is not None:
        return "no organization"
    elif unit is not None:
        return "no village"
    return None


def is_email(address):
    """Whether `address` is an e-mail address a message can be sent to.

    >>> is_email("hoinongdan.hatam@gmail.com"), is_email("vp@ubnd.hatam.gov.vn")
    (True, True)
    >>> is_email("hoinongdan"), is_email("a@b"), is_email("nông@dân.vn"), is_email("a@b.vn\\nBcc:")
    (False, False, False, False)
    """
    return len(address) <= EMAIL_LENGTH and re.fullmatch(EMAIL_PATTERN, address) is not None


def create_user(*, username, role, password, full_name="", email="", organization=None, unit=None):
    """Create an active account; raises AccountRefused on a taken name, a bad binding or an
    address that is not one."""
    _check_password(password)
    email = _checked_email(email)
    if username_taken(username):
        raise AccountRefused("username taken", "username")
    _check_binding(role, organization, unit)
    user = User(
        username=username,
        role=role,
        full_name=strip_control(full_name),
        email=email,
        organization=organization,
        unit=unit,
    )
    user.set_password(password)
    _flush_or_refuse(user)
    trail.record("user.create", _target(user), before={}, after=_public_fields(user))
    return user


def update_user(user, *, by, full_name, role, email=None, organization=None, unit=None):
    """Change a user's name, role, binding and e-mail address (None: kept); an administrator
    cannot demote themselves."""
    if by is not None and user.id == by.id and role != user.role:
        raise AccountRefused("demote self", "role")
    _check_binding(role, organization, unit)
    email = user.email if email is None else _checked_email(email)
    before = _public_fields(user)
    user.full_name = strip_control(full_name)
    user.email = email
    user.role = role
    user.organization = organization
    user.unit = unit
    db.session.flush()
    trail.record("user.update", _target(user), before=before, after=_public_fields(user))
    return user


def deactivate_user(user, *, by=None):
    """Stop a user signing in and end their sessions; nobody deactivates themselves."""
    if by is not None and user.id == by.id:
        raise AccountRefused("deactivate self")
    if not user.active:
        return user
    user.active = False
    sign_ins.end_all(user)
    trail.record("user.deactivate", _target(user), before={"active": True}, after={"active": False})
    return user


def reactivate_user(user):
    """Let a deactivated user sign in again (with the password they had)."""
    if user.active:
        return user
    user.active = True
    trail.record("user.reactivate", _target(user), before={"active": False}, after={"active": True})
    return user


def reset_password(user, password):
    """Set a new password and end every session of the user; audited without any password."""
    _check_password(password)
    user.set_password(password)
    sign_ins.end_all(user)
    trail.record("user.password_reset", _target(user))
    return user


def _check_password(password):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountRefused("password too short", "password")


def _checked_email(email):
    """The address without the spaces around it; "" for none."""
    email = (email or "").strip()
    if email and not is_email(email):
        raise AccountRefused("not an email", "email")
    return email


def _check_binding(role, organization, unit):
    if role in PROVINCE_ROLES and current_commune_id() is not None:
        # Working for a commune, nobody makes (or becomes) the province's own account.
        raise AccountRefused("province role", "role")
    problem = binding_problem(role, organization, unit)
    if problem is not None:
        field = "unit" if "village" in problem else "organization"
        raise AccountRefused(problem, field)


def _flush_or_refuse(user):
    try:
        # Added inside the savepoint, so that a refusal undoes this account only.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:  # the same username created by someone else a moment ago
        raise AccountRefused("username taken", "username") from None


def _target(user):
    return f"user:{user.username}"


def _public_fields(user):
    """What the log keeps of an account: never the password hash or the session version."""
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email or None,
        "role": user.role,
        "organization": user.organization.code if user.organization else None,
        "unit": user.unit.code if user.unit else None,
        "active": user.active,
    }
