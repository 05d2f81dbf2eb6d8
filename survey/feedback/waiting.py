"""How long feedback has waited for its answer, and when it is overdue.

An item is overdue while it has no answer and more time has passed since it arrived than the
answer window of the rule set of the year it arrived in (`feedback.answer_within_days`, 30 days
by default): the measure the rating uses, where an item answered within the window counts as
answered in time. So an item is still in time on its 30th day and overdue after it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from analytics import AnalyticsError, load_ruleset
from survey.accounts.access import feedback_item_scope
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, current_year, year_bounds
from survey.models import FeedbackItem, utcnow
from survey.ratings.rulesets import commune_rules

UNANSWERED = FeedbackItem.answered_at.is_(None)


def answer_window(year: int) -> int:
    """Days the rule set of `year` gives an organization to answer (the default's when the
    saved rule set cannot be read: the ratings page says what is wrong with it)."""
    try:
        return commune_rules(year).answer_within_days
    except AnalyticsError:
        return load_ruleset(year, None).answer_within_days


@dataclass(frozen=True)
class Deadlines:
    """The answer windows of the years feedback arrived in, as of `now`."""

    now: datetime
    windows: dict

    def window(self, received_at: datetime) -> int:
        year = received_at.astimezone(COMMUNE_TIME).year
        if year not in self.windows:  # a year the list did not expect (not in any query)
            self.windows[year] = answer_window(year)
        return self.windows[year]

    def due(self, item) -> datetime:
        """The last moment at which an answer to `item` is still in time."""
        return item.received_at + timedelta(days=self.window(item.received_at))

    def waited(self, item) -> int:
        """Whole days the item has waited: until its answer, or until now."""
        end = item.answered_at or self.now
        return max(0, (end - item.received_at).days)

    def overdue(self, item) -> bool:
        """Unanswered past its window."""
        return item.answered_at is None and self.now > self.due(item)

    def overdue_condition(self):
        """The SQL condition for overdue items, one term per year that has unanswered items."""
        terms = []
        for year, window in self.windows.items():
            start, end = year_bounds(year)
            cutoff = min(end, self.now - timedelta(days=window))
            terms.append(
                sa.and_(FeedbackItem.received_at >= start, FeedbackItem.received_at < cutoff)
            )
        return sa.and_(UNANSWERED, sa.or_(*terms)) if terms else sa.false()


def deadlines(scope=None, now=None) -> Deadlines:
    """The deadlines of the years from the oldest unanswered item (within `scope`) to now."""
    now = now or utcnow()
    oldest = db.session.scalar(
        sa.select(sa.func.min(FeedbackItem.received_at)).where(
            UNANSWERED, *([scope] if scope is not None else [])
        )
    )
    first = oldest.astimezone(COMMUNE_TIME).year if oldest is not None else current_year()
    last = max(now.astimezone(COMMUNE_TIME).year, first)
    return Deadlines(now, {year: answer_window(year) for year in range(first, last + 1)})


def item_deadlines(now=None) -> Deadlines:
    """Deadlines for reading single items (each year's window looked up when first needed)."""
    return Deadlines(now or utcnow(), {})


def waiting_counts(user, now=None) -> dict:
    """For the workspace home: how many items `user` may read are new, and how many are
    overdue."""
    scope = feedback_item_scope(user)
    late = deadlines(scope, now).overdue_condition()
    new, overdue = db.session.execute(
        sa.select(
            sa.func.count().filter(FeedbackItem.status == "new"),
            sa.func.count().filter(late),
        ).where(scope)
    ).one()
    return {"new": new, "overdue": overdue}
