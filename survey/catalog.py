"""Queries for what the public sees: open surveys, a survey by code, villages, receipts."""

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey.extensions import db
from survey.models import Question, Response, Survey, Unit


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


# code -> (updated_at, survey detached from its session): the structure of a survey is read
# once per change, not on every visit. Every change to a survey or its questions moves
# survey.updated_at, which retires the entry.
_SNAPSHOTS = {}


def survey_snapshot(code):
    """The survey as `survey_by_code` gives it, read-only and shared between requests."""
    updated_at = db.session.scalar(sa.select(Survey.updated_at).where(Survey.code == code))
    if updated_at is None:
        _SNAPSHOTS.pop(code, None)
        return None
    cached = _SNAPSHOTS.get(code)
    if cached is not None and cached[0] == updated_at:
        return cached[1]
    survey = survey_by_code(code)
    if survey is None:
        return None
    for organization in survey.organizations:
        db.session.expunge(organization)
    db.session.expunge(survey)  # questions and options follow (cascade)
    _SNAPSHOTS[code] = (updated_at, survey)
    return survey


def survey_state(survey, now=None):
    """'open', 'not_yet' (before opens_at) or 'closed' (status closed, or past closes_at)."""
    now = now or datetime.now(timezone.utc)
    if survey.status == "closed" or (survey.closes_at and survey.closes_at <= now):
        return "closed"
    if survey.opens_at and survey.opens_at > now:
        return "not_yet"
    return "open"


def units():
    """Every village, in the commune's order."""
    return db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)).all()


def unit_by_code(code):
    """The village with this code, or None."""
    if not code:
        return None
    return db.session.scalar(sa.select(Unit).where(Unit.code == code))


def receipt_date(receipt):
    """The day (Vietnam time) the response with this receipt was counted, or None."""
    submitted_at = db.session.scalar(
        sa.select(Response.submitted_at).where(Response.receipt == receipt)
    )
    return submitted_at
