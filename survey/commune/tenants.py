"""The province's communes: making and listing them, and which one a request works for.

Every request works for one commune (survey.core.tenancy), chosen here before any view runs:
- a signed-in officer of a commune: theirs, whatever the address asks for;
- a province officer (no commune of their own): none; the province's pages read across
  communes on purpose (survey.core.tenancy.across_communes), a public survey's pages are
  seen as a citizen sees them, every other page sees nothing;
- a visitor: the commune of the survey, receipt or published evidence the address names; else
  the commune they chose on the landing page (`?xa=CODE`, kept in their session); else the
  only commune. With several communes and no choice, nothing of any commune is seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from survey.core.bounded_cache import LRUCache
from survey.core.extensions import db
from survey.core.tenancy import _current, across_communes
from survey.models import Commune, Province, ReceiptCode, Survey, TaskEvidence
from survey.models.scoping import rescope_transaction

# No commune has this id: the scope of a request that may see no commune's data.
NO_COMMUNE = 0
COMMUNE_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
CHOSEN = "commune"  # the visitor's choice, in their session


class CommuneError(ValueError):
    """A commune cannot be made or found as asked: the message says why."""


@dataclass(frozen=True)
class CommuneRow:
    id: int
    code: str
    name: str
    province: str
    national_code: str
    merged_from: tuple[str, ...]


def commune_rows() -> list[CommuneRow]:
    """Every commune of the deployment, by name."""
    with across_communes():
        rows = db.session.execute(
            sa.select(Commune, Province.name)
            .outerjoin(Province, Province.id == Commune.province_id)
            .order_by(Commune.name, Commune.code)
        ).all()
    return [
        CommuneRow(
            c.id, c.code, c.name, province or "", c.national_code, tuple(c.merged_from or ())
        )
        for c, province in rows
    ]


def create_commune(code, name, province=None, national_code="", merged_from=()) -> Commune:
    """A new commune (flushed, not committed); CommuneError when the code is taken or bad."""
    code = (code or "").strip().lower()
    if not COMMUNE_CODE.fullmatch(code):
        raise CommuneError(
            f"commune code {code!r}: lowercase letters, digits, '-' or '_', at most 32"
        )
    if not (name or "").strip():
        raise CommuneError("a commune needs a name")
    if db.session.scalar(sa.select(Commune.id).where(Commune.code == code)) is not None:
        raise CommuneError(f"commune code {code!r} is taken")
    province_row = None
    if province:
        province_row = db.session.scalar(sa.select(Province).where(Province.name == province))
        if province_row is None:
            province_row = Province(name=province.strip())
            db.session.add(province_row)
    commune = Commune(
        code=code,
        name=name.strip(),
        province=province_row,
        national_code=(national_code or "").strip(),
        merged_from=[m.strip() for m in merged_from if m.strip()],
    )
    db.session.add(commune)
    db.session.flush()
    return commune


def commune_by_code(code) -> Commune | None:
    """The commune with this code, or None."""
    return db.session.scalar(sa.select(Commune).where(Commune.code == (code or "").lower()))


def chosen_commune(code) -> Commune | None:
    """The commune a command names with --commune, or the only one, or None when there is
    none yet (a new install's first rows make it); CommuneError naming the choices otherwise."""
    communes = db.session.scalars(sa.select(Commune).order_by(Commune.code)).all()
    if code:
        found = next((c for c in communes if c.code == code.lower()), None)
        if found is None:
            raise CommuneError(f"no commune {code!r}; the communes are: {_named(communes)}")
        return found
    if len(communes) == 1:
        return communes[0]
    if not communes:
        return None
    raise CommuneError(f"several communes: choose one with --commune ({_named(communes)})")


def _named(communes) -> str:
    return ", ".join(c.code for c in communes) or "none"


def init_app(app):
    """Choose each request's commune before any view or other hook runs; let go after it."""
    app.before_request_funcs.setdefault(None, []).insert(0, _enter_request_commune)
    app.teardown_request(_leave_request_commune)


def _enter_request_commune():
    if request.endpoint == "static":
        return
    try:
        commune_id = request_commune_id()
    except SQLAlchemyError:
        # The database cannot answer: the page says so itself (the health check, error
        # pages), and sees no commune's data meanwhile.
        db.session.rollback()
        commune_id = NO_COMMUNE
    g.commune_token = _current.set(commune_id)
    rescope_transaction(db.session)


def work_for_user(user) -> None:
    """From now on this request works for `user`'s commune (just signed in), or for none
    (a province officer)."""
    _leave_request_commune()
    g.commune_token = _current.set(user.commune_id or NO_COMMUNE)
    rescope_transaction(db.session)


def _leave_request_commune(_error=None):
    token = g.pop("commune_token", None)
    if token is not None:
        _current.reset(token)


def request_commune_id() -> int | None:
    """The commune this request works for (see the module's docstring)."""
    if current_user.is_authenticated:
        if current_user.commune_id is not None:
            return current_user.commune_id
        # A province officer: the public pages a citizen sees, as a citizen sees them.
        named = _named_by_address()
        return NO_COMMUNE if named is None else named
    named = _named_by_address()
    if named is not None:
        return named
    chosen = request.args.get("xa")
    if chosen:
        commune = commune_by_code(chosen)
        if commune is not None:
            session[CHOSEN] = commune.id
            return commune.id
    ids = db.session.scalars(sa.select(Commune.id).limit(2)).all()
    if len(ids) == 1:
        return ids[0]
    if not ids:  # a new install: nothing to see yet, and its first rows make its commune
        return None
    kept = session.get(CHOSEN)
    if isinstance(kept, int) and db.session.get(Commune, kept) is not None:
        return kept
    return NO_COMMUNE


# Survey code -> its commune, which never changes: the public form is served from what the
# worker keeps, even while the database is restarting (survey.responses.catalog).
_SURVEY_COMMUNES = LRUCache(4096)


def survey_commune(code) -> int | None:
    """The commune of the survey with this code, or None."""
    known = _SURVEY_COMMUNES.get(code)
    if known is None:
        known = db.session.scalar(sa.select(Survey.commune_id).where(Survey.code == code))
        if known is not None:
            _SURVEY_COMMUNES[code] = known
    return known


def forget_cached():
    """Forget the surveys' communes (tests that rebuild the database)."""
    _SURVEY_COMMUNES.clear()


def _named_by_address() -> int | None:
    """The commune of the survey, receipt or evidence file the address names, if any."""
    args = request.view_args or {}
    if "code" in args and (request.blueprint or "") == "take":
        return survey_commune(args["code"])
    if "receipt" in args:
        code = str(args["receipt"]).strip().upper()
        return db.session.scalar(sa.select(ReceiptCode.commune_id).where(ReceiptCode.code == code))
    if "evidence_id" in args and request.endpoint == "replies.evidence":
        return db.session.scalar(
            sa.select(TaskEvidence.commune_id).where(TaskEvidence.id == args["evidence_id"])
        )
    return None
