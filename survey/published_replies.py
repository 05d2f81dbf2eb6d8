"""The public "you said, we did" page: published replies, with villages only where safe.

Anonymity: a published item names its village only when that village gave at least
SUPPRESSION_K responses to the item's survey; otherwise the page shows the organization alone,
and the village filter leaves the item out (filtering must not name the village either).

Those counts group every response of the surveys with published items: they are kept with the
dashboards' figures (survey.aggregate_cache), not grouped again on every anonymous visit.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from survey.aggregate_cache import cached
from survey.extensions import db
from survey.models import FeedbackItem, Organization, Response, Unit

PER_PAGE = 20


@dataclass(frozen=True)
class PublishedReply:
    """One published item as the public sees it: no survey, no answer, no receipt."""

    text: str
    reply: str
    organization: str
    village: str | None
    topic: str | None
    received_at: object
    answered_at: object


@dataclass(frozen=True)
class RepliesPage:
    """One page of published replies and the choices of the filters."""

    replies: list
    total: int
    page: int
    pages: int
    organizations: list
    units: list


def _village_sizes():
    """Responses per (survey, village), for the surveys that have published items."""
    published_surveys = sa.select(FeedbackItem.survey_id).where(FeedbackItem.published)
    rows = db.session.execute(
        sa.select(Response.survey_id, Response.unit_id, sa.func.count())
        .where(Response.survey_id.in_(published_surveys), Response.unit_id.is_not(None))
        .group_by(Response.survey_id, Response.unit_id)
    ).all()
    return {(survey_id, unit_id): int(n) for survey_id, unit_id, n in rows}


def kept_village_sizes():
    """The counts above, kept; raises aggregate_cache.NotReady while first computed."""
    return cached(("published replies", "village sizes"), lambda: _village_sizes()).value


def published_replies(org_code="", unit_code="", page=1, k=5, per_page=PER_PAGE):
    """Published items, newest answer first, filtered by organization and village codes."""
    named = [pair for pair, n in kept_village_sizes().items() if n >= k]
    pair = sa.tuple_(FeedbackItem.survey_id, FeedbackItem.unit_id)
    village_named = pair.in_(named) if named else sa.false()
    conditions = [FeedbackItem.published]
    if org_code:
        conditions.append(Organization.code == org_code)
    if unit_code:
        conditions.extend([Unit.code == unit_code, village_named])
    base = (
        sa.select(FeedbackItem)
        .join(Organization, Organization.id == FeedbackItem.organization_id)
        .outerjoin(Unit, Unit.id == FeedbackItem.unit_id)
        .where(*conditions)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        base.with_only_columns(
            FeedbackItem.text,
            FeedbackItem.public_reply,
            Organization.name,
            Unit.name,
            village_named.label("village_named"),
            FeedbackItem.topic,
            FeedbackItem.received_at,
            FeedbackItem.answered_at,
        )
        .order_by(
            FeedbackItem.answered_at.desc().nulls_last(),
            FeedbackItem.received_at.desc(),
            FeedbackItem.id.desc(),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    replies = [
        PublishedReply(
            text=row[0],
            reply=row[1],
            organization=row[2],
            village=row[3] if row[4] else None,
            topic=row[5],
            received_at=row[6],
            answered_at=row[7],
        )
        for row in rows
    ]
    return RepliesPage(
        replies=replies,
        total=total,
        page=page,
        pages=pages,
        organizations=db.session.scalars(
            sa.select(Organization).order_by(Organization.position, Organization.name)
        ).all(),
        units=db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)).all(),
    )
