"""Responses reach figures and exports in batches of at least k, never one at a time.

If each new response showed at once, two looks at a survey's results, or two exports taken a
few minutes apart, would differ by exactly one response: whoever saw a person answer in
between (the officer who handed out their slip, say) would read that person's answers in
the difference. So a new response waits, unreleased, until at least k (the commune's
SUPPRESSION_K) responses of its survey wait together; then all of them are released at once,
as one batch. Once the survey is closed (its status, or its closing time passed), every
response counts. Results, ratings, integrity checks and exports read only what counts: two
of them differ by at least k responses, or, after the survey closed, by its last few.

How many people answered (responses per day and per channel, the survey list) is shown at
once: it says nothing of what anyone answered.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from survey.commune.settings import setting
from survey.core.errors import UNAVAILABLE, rollback_quietly
from survey.core.extensions import db
from survey.models import Invitation, ReleaseBatch, Response, ResponseCriterion, Survey, utcnow

# PostgreSQL advisory lock space of the releases (the second key is the survey id).
RELEASE_LOCK = 0x52454C


def batch_size() -> int:
    """How many responses must wait together before they are released: k, at least 1."""
    return max(1, int(setting("SUPPRESSION_K")))


def counted(survey, released) -> sa.ColumnElement[bool]:
    """SQL condition on one survey's rows (`released`: the Response or ResponseCriterion
    column): the rows that count in figures and exports now."""
    if survey.state() == "closed":
        return sa.true()
    return released


def counted_among(surveys, released) -> sa.ColumnElement[bool]:
    """The same condition for the rows of several surveys (objects, without a join): all of
    the closed ones' rows, the released rows of the others."""
    closed = [s.id for s in surveys if s.state() == "closed"]
    still_open = [s.id for s in surveys if s.id not in closed]
    survey_id = released.table.c.survey_id
    return sa.or_(survey_id.in_(closed), sa.and_(survey_id.in_(still_open), released))


def survey_closed(now: datetime | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on Survey: closed, by its status or because its closing time passed."""
    now = now or utcnow()
    return sa.or_(
        Survey.status == "closed", sa.and_(Survey.closes_at.is_not(None), Survey.closes_at <= now)
    )


def counted_in_joined_survey(released, now: datetime | None = None) -> sa.ColumnElement[bool]:
    """The same condition for a query over several surveys, with Survey joined."""
    return sa.or_(released, survey_closed(now))


def waiting(survey_id: int) -> int:
    """How many responses of the survey wait for their batch."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Response)
        .where(Response.survey_id == survey_id, sa.not_(Response.released))
    )


def release_ready(survey_id: int, *, everything: bool = False) -> int:
    """Release the waiting responses of a survey if at least k wait (all of them, however
    few, with `everything`: the survey is closing); return how many were released.

    Its own transaction, committed here, after the responses' own: a failure leaves them
    waiting for the next submission's try, and never undoes a stored response.
    """
    try:
        released = _release(survey_id, everything)
        db.session.commit()
    except UNAVAILABLE:
        rollback_quietly()
        return 0
    return released


def _release(survey_id, everything):
    conn = db.session.connection()
    _one_release_at_a_time(conn, survey_id)
    # Counted after the lock: two releases one after the other never make a batch smaller
    # than k out of what the first left behind.
    pending = waiting(survey_id)
    if pending == 0 or (pending < batch_size() and not everything):
        db.session.rollback()
        return 0
    # Every response waiting now: the ones counted, and any stored since (on PostgreSQL each
    # statement sees what was committed when it began), so never fewer than counted.
    pending = conn.execute(
        sa.update(Response)
        .where(Response.survey_id == survey_id, sa.not_(Response.released))
        .values(released=True)
    ).rowcount
    # The same responses' criterion rows: those whose response is released by now.
    conn.execute(
        sa.update(ResponseCriterion)
        .where(
            ResponseCriterion.survey_id == survey_id,
            sa.not_(ResponseCriterion.released),
            ResponseCriterion.response_id.in_(
                sa.select(Response.id).where(Response.survey_id == survey_id, Response.released)
            ),
        )
        .values(released=True)
    )
    conn.execute(
        sa.insert(ReleaseBatch).values(
            commune_id=sa.select(Survey.commune_id).where(Survey.id == survey_id).scalar_subquery(),
            survey_id=survey_id,
            released_at=utcnow(),
            responses=pending,
        )
    )
    _rewrite_used_slips(conn, survey_id)
    return pending


def _one_release_at_a_time(conn, survey_id):
    """Serialize the releases of one survey (writers of responses are not held up)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(RELEASE_LOCK, survey_id)))
    else:
        # SQLite: a write statement takes the database's write lock for this transaction
        # (one that matches no row is enough), so nobody commits between the count and the
        # release.
        conn.execute(
            sa.update(ReleaseBatch)
            .where(ReleaseBatch.id == -1)
            .values(responses=ReleaseBatch.responses)
        )


def _rewrite_used_slips(conn, survey_id):
    """Write the survey's used slips again in the release's transaction: PostgreSQL stamps
    each row with the transaction that last wrote it, and a slip used up in the same
    transaction as its response's answers would carry that response's stamp until then."""
    conn.execute(
        sa.update(Invitation)
        .where(Invitation.survey_id == survey_id, Invitation.used)
        .values(used=True)
    )


def release_summary(survey) -> dict:
    """For the results and export page: how many responses count now, how many wait for the
    next batch, and the batch size."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id)
    )
    closed = survey.state() == "closed"
    pending = 0 if closed else waiting(survey.id)
    return {
        "counted": int(total) - pending,
        "waiting": pending,
        "batch": batch_size(),
        "closed": closed,
    }
