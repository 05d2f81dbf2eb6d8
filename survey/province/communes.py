"""The province office's work on its communes: each commune with what it holds, a new commune,
and each commune's administrators' accounts (role admin: the Party Committee Office), which the
province office makes so that the commune can make the rest itself.

Read and written across communes on purpose (survey.core.tenancy): the views call these only
for the province office (province_admin). An administrator's account is made inside its
commune's scope, so it belongs to that commune like any account its office makes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from survey.accounts import officers
from survey.audit import trail
from survey.commune.tenants import commune_by_code, commune_rows, create_commune
from survey.core.extensions import db
from survey.core.tenancy import across_communes, commune_scope
from survey.models import Organization, Survey, Unit, User

ADMIN = "admin"


@dataclass(frozen=True)
class CommuneSummary:
    """A commune as the province office lists it: who it is and what it holds."""

    code: str
    name: str
    province: str
    national_code: str
    merged_from: tuple[str, ...]
    villages: int
    organizations: int
    surveys: int
    accounts: int  # active accounts
    admins: tuple[str, ...]  # the active administrators' usernames


def _counts(model, *where) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(model.commune_id, sa.func.count()).where(*where).group_by(model.commune_id)
    ).all()
    return {commune_id: count for commune_id, count in rows}


def commune_summaries() -> list[CommuneSummary]:
    """Every commune, by name, with its villages, organizations, surveys and accounts."""
    with across_communes():
        villages = _counts(Unit)
        organizations = _counts(Organization)
        surveys = _counts(Survey)
        accounts = _counts(User, User.active.is_(True), User.commune_id.is_not(None))
        admins: dict[int, list[str]] = {}
        for commune_id, username in db.session.execute(
            sa.select(User.commune_id, User.username)
            .where(User.role == ADMIN, User.active.is_(True))
            .order_by(User.username)
        ):
            admins.setdefault(commune_id, []).append(username)
    return [
        CommuneSummary(
            row.code,
            row.name,
            row.province,
            row.national_code,
            row.merged_from,
            villages.get(row.id, 0),
            organizations.get(row.id, 0),
            surveys.get(row.id, 0),
            accounts.get(row.id, 0),
            tuple(admins.get(row.id, ())),
        )
        for row in commune_rows()
    ]


def add_commune(code, name, province="", national_code="", merged_from=()):
    """A new commune (flushed, not committed), in the province's audit log; CommuneError when
    the code is taken or bad."""
    with across_communes():
        commune = create_commune(code, name, province, national_code, merged_from)
        trail.record(
            "commune.create",
            commune.code,
            after={"name": commune.name, "province": province, "national_code": national_code},
        )
        return commune


def commune_or_none(code):
    """The commune with this code, or None."""
    with across_communes():
        return commune_by_code(code)


def commune_admins(commune_id: int) -> list[User]:
    """The commune's administrators' accounts: active ones first, then by username."""
    with commune_scope(commune_id):
        return db.session.scalars(
            sa.select(User).where(User.role == ADMIN).order_by(User.active.desc(), User.username)
        ).all()


def commune_admin(commune_id: int, user_id: int) -> User | None:
    """One of the commune's administrators' accounts, or None (another commune's, another
    role's, or none)."""
    with commune_scope(commune_id):
        user = db.session.get(User, user_id)
    return user if user is not None and user.role == ADMIN else None


# Each change below is flushed inside the commune's scope: on PostgreSQL the row-level
# security policies let a transaction write only the rows of the commune it told.


def add_admin(commune_id: int, *, username, full_name, email, password) -> User:
    """A new administrator's account of the commune, in the commune's audit log;
    officers.AccountRefused when the username is taken or the password too short."""
    with commune_scope(commune_id):
        user = officers.create_user(
            username=username, role=ADMIN, password=password, full_name=full_name, email=email
        )
        db.session.flush()
    return user


def reset_admin_password(commune_id: int, user: User, password: str) -> None:
    """A new password for one of the commune's administrators; their sessions end."""
    with commune_scope(commune_id):
        officers.reset_password(user, password)
        db.session.flush()


def set_admin_active(commune_id: int, user: User, active: bool) -> None:
    """Let one of the commune's administrators sign in again, or stop them (sessions end)."""
    with commune_scope(commune_id):
        if active:
            officers.reactivate_user(user)
        else:
            officers.deactivate_user(user)
        db.session.flush()
