"""Queries for what the public sees: the surveys open now."""

from datetime import datetime, timezone

import sqlalchemy as sa

from survey.extensions import db
from survey.models import Survey


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
