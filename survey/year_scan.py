"""One pass over a year's likert answers, kept in a temporary table for the evaluation.

The answers are the large table (tens of millions of rows at a province's scale). The
evaluation reads them once, grouped per response, criterion tag and tagged organization, into
`ev_response` (a TEMPORARY table of this database connection, dropped afterwards); the survey
criteria, their rerun without flagged responses and the straight-lining check then read that
far smaller table.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress

import sqlalchemy as sa

from analytics.criteria import VillageCounts
from survey.extensions import db
from survey.models import Answer, Question, Response, Survey, Unit, survey_organization

# Survey criteria of the rule set -> the criterion tag their questions carry in surveys.
SURVEY_CRITERIA = {"satisfaction": "satisfaction", "supervision_quality": "supervision"}

_METADATA = sa.MetaData()  # not the app's: these tables are never migrated
PER_RESPONSE = sa.Table(
    "ev_response",
    _METADATA,
    sa.Column("response_id", sa.BigInteger),
    sa.Column("survey_id", sa.Integer),
    sa.Column("unit_id", sa.Integer),
    sa.Column("tag", sa.String(32)),
    sa.Column("q_org", sa.Integer),
    sa.Column("answered", sa.Integer),
    sa.Column("top", sa.Integer),
    sa.Column("lo", sa.Float),
    sa.Column("hi", sa.Float),
    prefixes=["TEMPORARY"],
)
# The responses an integrity check flagged, filled by survey.integrity_checks in SQL.
FLAGGED = sa.Table(
    "ev_flagged",
    _METADATA,
    sa.Column("response_id", sa.BigInteger, primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("survey_id", sa.Integer),
    prefixes=["TEMPORARY"],
)

# Answer vectors that more than one response of a survey gave (the duplicates check).
REPEATED = sa.Table(
    "ev_repeated",
    _METADATA,
    sa.Column("survey_id", sa.Integer),
    sa.Column("answers_digest", sa.String(64)),
    sa.Column("n", sa.Integer),
    prefixes=["TEMPORARY"],
)
_TEMPORARY = (PER_RESPONSE, FLAGGED, REPEATED)

Counts = dict[str, dict[int, list[VillageCounts]]]


@contextmanager
def year_scan(year: int):
    """Fill the temporary tables for `year` on the session's connection; drop them after."""
    conn = db.session.connection()
    for table in _TEMPORARY:
        table.drop(conn, checkfirst=True)
        table.create(conn)
    scan = (
        sa.select(
            Answer.response_id,
            Response.survey_id,
            Response.unit_id,
            Question.criterion,
            Question.organization_id,
            sa.func.count(),
            sa.func.sum(sa.case((Answer.number >= 4, 1), else_=0)),
            sa.func.min(Answer.number),
            sa.func.max(Answer.number),
        )
        .select_from(Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Survey, Survey.id == Question.survey_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Survey.year == year, Survey.status != "draft", Answer.kind == "likert5")
        .group_by(
            Answer.response_id,
            Response.survey_id,
            Response.unit_id,
            Question.criterion,
            Question.organization_id,
        )
    )
    conn.execute(PER_RESPONSE.insert().from_select([c.name for c in PER_RESPONSE.c], scan))
    try:
        yield
    finally:
        for table in _TEMPORARY:
            # When the transaction failed, its rollback drops them.
            with suppress(sa.exc.DBAPIError):
                table.drop(conn, checkfirst=True)


def criterion_counts() -> tuple[Counts, Counts]:
    """Per criterion tag, organization and village: respondents, and the sum of their top-2
    shares (a respondent counts once per criterion: its share of top-2 answers); first for
    every response, then for the flagged ones only (FLAGGED), in one pass.

    An untagged question counts for every organization its survey evaluates; a tagged one for
    its own.
    """
    e = PER_RESPONSE
    about = sa.func.coalesce(e.c.q_org, survey_organization.c.organization_id)
    linked = e.outerjoin(
        survey_organization,
        sa.and_(survey_organization.c.survey_id == e.c.survey_id, e.c.q_org.is_(None)),
    ).outerjoin(FLAGGED, FLAGGED.c.response_id == e.c.response_id)
    per = (
        sa.select(
            e.c.unit_id,
            e.c.tag,
            about.label("organization_id"),
            sa.func.max(sa.case((FLAGGED.c.response_id.is_not(None), 1), else_=0)).label("flagged"),
            (sa.cast(sa.func.sum(e.c.top), sa.Float) / sa.func.sum(e.c.answered)).label("share"),
        )
        .select_from(linked)
        .where(e.c.tag.in_(tuple(SURVEY_CRITERIA.values())), about.is_not(None))
        .group_by(e.c.response_id, e.c.unit_id, e.c.tag, about)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            per.c.tag,
            per.c.organization_id,
            Unit.code,
            sa.func.count(),
            sa.func.sum(per.c.share),
            sa.func.sum(per.c.flagged),
            sa.func.sum(per.c.flagged * per.c.share),
        )
        .select_from(per)
        .outerjoin(Unit, Unit.id == per.c.unit_id)
        .group_by(per.c.tag, per.c.organization_id, Unit.code)
    ).all()
    counts: Counts = {tag: {} for tag in SURVEY_CRITERIA.values()}
    flagged: Counts = {tag: {} for tag in SURVEY_CRITERIA.values()}
    for tag, org_id, unit, respondents, top2, flagged_n, flagged_top2 in rows:
        counts[tag].setdefault(org_id, []).append(
            VillageCounts(unit or "", int(respondents), float(top2 or 0))
        )
        if flagged_n:
            flagged[tag].setdefault(org_id, []).append(
                VillageCounts(unit or "", int(flagged_n), float(flagged_top2 or 0))
            )
    return counts, flagged


def mark_straight_lining(min_items: int) -> dict[int, int]:
    """Flag, in FLAGGED, the responses that gave one and the same answer to `min_items` or
    more likert questions; return how many per survey id."""
    e = PER_RESPONSE
    same = (
        sa.select(e.c.response_id, sa.literal("straight_liner"), e.c.survey_id)
        .group_by(e.c.survey_id, e.c.response_id)
        .having(sa.func.sum(e.c.answered) >= min_items, sa.func.min(e.c.lo) == sa.func.max(e.c.hi))
    )
    db.session.execute(FLAGGED.insert().from_select(["response_id", "kind", "survey_id"], same))
    return dict(
        db.session.execute(
            sa.select(FLAGGED.c.survey_id, sa.func.count())
            .where(FLAGGED.c.kind == "straight_liner")
            .group_by(FLAGGED.c.survey_id)
        ).all()
    )


def survey_counts(year: int) -> Counts:
    """`criterion_counts` for `year`, in a scan of its own (for callers outside an evaluation)."""
    with year_scan(year):
        return criterion_counts()[0]
