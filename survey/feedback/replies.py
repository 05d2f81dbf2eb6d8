"""The public "you said, we did" page: published replies, with villages only where safe.

Anonymity: a published item names its village only when the results of the item's survey
show that village (survey.responses.suppression: at least SUPPRESSION_K responses, and not
the village that would give a hidden one away); otherwise the page shows the organization
alone, and the village filter leaves the item out (filtering must not name the village either).

Those villages come from grouping every response of the surveys with published items: they
are kept with the dashboards' figures (survey.ratings.kept_figures), not grouped again on every
anonymous visit.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from survey.core.extensions import db
from survey.feedback.follow_up import follow_ups
from survey.models import FeedbackItem, Organization, Unit
from survey.ratings.kept_figures import figure, kept
from survey.responses.suppression import hidden_villages, village_shown

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
    # How far its task has come (survey.feedback.follow_up.FollowUp); None: received only.
    follow_up: object = None


@dataclass(frozen=True)
class RepliesPage:
    """One page of published replies and the choices of the filters."""

    replies: list
    total: int
    page: int
    pages: int
    organizations: list
    units: list


def _hidden_villages():
    """The villages each survey with published items hides (survey.responses.suppression's rule)."""
    published_surveys = sa.select(FeedbackItem.survey_id).where(FeedbackItem.published).distinct()
    return hidden_villages(db.session.scalars(published_surveys).all())


@figure("published replies: hidden villages")
def _kept_figure():
    return _hidden_villages()


def kept_hidden_villages():
    """The villages above, kept; raises kept_figures.NotReady while first computed."""
    return kept("published replies: hidden villages").value


def published_replies(org_code="", unit_code="", page=1, per_page=PER_PAGE, survey_id=None):
    """Published items, newest answer first, filtered by organization and village codes (and
    by survey: the receipt page shows the published items of the receipt's survey)."""
    village_named = village_shown(
        FeedbackItem.survey_id, FeedbackItem.unit_id, kept_hidden_villages()
    )
    conditions = [FeedbackItem.published]
    if org_code:
        conditions.append(Organization.code == org_code)
    if unit_code:
        conditions.extend([Unit.code == unit_code, village_named])
    if survey_id is not None:
        conditions.append(FeedbackItem.survey_id == survey_id)
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
            FeedbackItem.task_id,
        )
        .order_by(
            FeedbackItem.answered_at.desc().nulls_last(),
            FeedbackItem.received_at.desc(),
            FeedbackItem.id.desc(),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    tasks = follow_ups(row[8] for row in rows)
    replies = [
        PublishedReply(
            text=row[0],
            reply=row[1],
            organization=row[2],
            village=row[3] if row[4] else None,
            topic=row[5],
            received_at=row[6],
            answered_at=row[7],
            follow_up=tasks.get(row[8]),
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
