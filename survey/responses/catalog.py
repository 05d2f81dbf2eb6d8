"""Queries for what the public sees: open surveys, a survey by code, villages, receipts."""

import time
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from survey.core.bounded_cache import LRUCache
from survey.core.errors import UNAVAILABLE, rollback_quietly
from survey.core.extensions import db
from survey.core.tenancy import current_commune_id
from survey.models import Question, ReceiptCode, Response, Survey, Unit


def open_public_surveys(now=None):
    """Public surveys whose status is open and whose dates include `now`, newest first."""
    now = now or datetime.now(timezone.utc)
    query = (
        sa.select(Survey)
        .where(
            Survey.audience == "public",
            Survey.status == "open",
            sa.or_(Survey.opens_at.is_(None), Survey.opens_at <= now),
            sa.or_(Survey.closes_at.is_(None), Survey.closes_at > now),
        )
        .order_by(Survey.year.desc(), Survey.code)
        .options(selectinload(Survey.questions), selectinload(Survey.organizations))
    )
    return db.session.scalars(query).all()


def survey_by_code(code):
    """The survey with its questions, options and organizations loaded, or None."""
    return db.session.scalar(
        sa.select(Survey)
        .where(Survey.code == code)
        .options(
            selectinload(Survey.questions).selectinload(Question.options),
            selectinload(Survey.organizations),
        )
    )


# code -> (checked at, updated_at, survey detached from its session): the structure of a
# survey is read once per change, not on every visit. Every change to a survey or its
# questions moves survey.updated_at, which retires the entry; whether it moved is asked at
# most every SURVEY_CACHE_SECONDS. Only surveys that exist are kept, and at most this many
# (the least recently read go).
# Kept by the commune at hand too: a code another commune's officer types finds nothing.
_SNAPSHOTS = LRUCache(256)
_UNITS: dict = {}  # commune at hand -> (checked at, units)


def forget_cached():
    """Drop every cached survey and village list (tests that rebuild the database)."""
    _SNAPSHOTS.clear()
    _UNITS.clear()


def forget_survey(code):
    """Drop one survey's cached structure, so this worker reads its change at once."""
    _SNAPSHOTS.pop((current_commune_id(), code), None)


def _fresh(checked_at):
    return time.monotonic() - checked_at < current_app.config["SURVEY_CACHE_SECONDS"]


def survey_snapshot(code):
    """The survey as `survey_by_code` gives it, read-only and shared between requests."""
    key = (current_commune_id(), code)
    cached = _SNAPSHOTS.get(key)
    if cached is not None and _fresh(cached[0]):
        return cached[2]
    checked_at = time.monotonic()
    try:
        updated_at = db.session.scalar(sa.select(Survey.updated_at).where(Survey.code == code))
    except UNAVAILABLE:
        if cached is None:
            raise
        # The database is down for a moment: the form is still shown (and sent answers shown
        # back) from the structure last read; storing them waits for the database.
        rollback_quietly()
        return cached[2]
    if updated_at is None:
        _SNAPSHOTS.pop(key, None)
        return None
    if cached is not None and cached[1] == updated_at:
        _SNAPSHOTS[key] = (checked_at, updated_at, cached[2])
        return cached[2]
    survey = survey_by_code(code)
    if survey is None:
        return None
    for organization in survey.organizations:
        db.session.expunge(organization)
    db.session.expunge(survey)  # questions and options follow (cascade)
    _SNAPSHOTS[key] = (checked_at, updated_at, survey)
    return survey


def units():
    """Every village, in the commune's order (read-only, shared between requests)."""
    commune_id = current_commune_id()
    kept = _UNITS.get(commune_id)
    if kept and _fresh(kept[0]):
        return kept[1]
    checked_at = time.monotonic()
    try:
        found = db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)).all()
    except UNAVAILABLE:
        if not kept:
            raise
        rollback_quietly()  # as for a survey's structure: the last list read, while it lasts
        return kept[1]
    for unit in found:
        db.session.expunge(unit)
    _UNITS[commune_id] = (checked_at, found)
    return found


def village_names():
    """Village code -> name, from the list above."""
    return {unit.code: unit.name for unit in units()}


def unit_by_code(code):
    """The village with this code, or None."""
    return next((unit for unit in units() if unit.code == code), None) if code else None


def receipt_survey_id(receipt):
    """The id of the survey a receipt code was given for, or None when none has this code.
    Nothing else is known of it: not which response, nor when."""
    return db.session.scalar(sa.select(ReceiptCode.survey_id).where(ReceiptCode.code == receipt))


def survey_title_by_id(survey_id):
    """A survey's title per language (a receipt names the survey it was given for)."""
    return db.session.scalar(sa.select(Survey.title).where(Survey.id == survey_id))


def survey_titles(lang="vi"):
    """Every survey's title in `lang` (else in Vietnamese), by code: what pages show for a code
    that a document carries (the integrity table of the Evaluation JSON, say)."""
    return {
        code: (title or {}).get(lang) or (title or {}).get("vi") or code
        for code, title in db.session.execute(sa.select(Survey.code, Survey.title)).all()
    }


def survey_listing():
    """Every survey with its number of responses (one grouped query), newest year first."""
    counts = (
        sa.select(Response.survey_id, sa.func.count().label("n"))
        .group_by(Response.survey_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Survey, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.survey_id == Survey.id)
        .options(selectinload(Survey.organizations))
        .order_by(Survey.year.desc(), Survey.code)
    ).all()
    return [(survey, count) for survey, count in rows]
