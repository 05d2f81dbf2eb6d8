"""A year's survey criteria counted in the database, and the responses its checks flagged.

The answers are the large table (tens of millions of rows at a province's scale), and the
evaluation never reads them: the survey criteria are counted in one grouped query over
ResponseCriterion (each response's likert answers counted per criterion when it was stored),
and the integrity checks read the responses (straight-lining from `Response.uniform_likert`)
and write the ids they flag into FLAGGED, a TEMPORARY table of this database connection,
before that query, which counts the flagged responses apart as it goes.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress

import sqlalchemy as sa

from analytics import VillageCounts
from survey.core.extensions import db
from survey.models import Response, ResponseCriterion, Survey, Unit, survey_organization
from survey.responses.release import counted_in_joined_survey

# Survey criteria of the rule set -> the criterion tag their questions carry in surveys.
SURVEY_CRITERIA = {"satisfaction": "satisfaction", "supervision_quality": "supervision"}

_METADATA = sa.MetaData()  # not the app's: these tables are never migrated
# The responses an integrity check flagged, filled by survey.ratings.integrity_checks in SQL.
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
_TEMPORARY = (FLAGGED, REPEATED)

Counts = dict[str, dict[int, list[VillageCounts]]]


@contextmanager
def flag_tables():
    """Create the temporary tables on the session's connection; drop them after."""
    conn = db.session.connection()
    for table in _TEMPORARY:
        table.drop(conn, checkfirst=True)
        table.create(conn)
    try:
        yield
    finally:
        for table in _TEMPORARY:
            # When the transaction failed, its rollback drops them.
            with suppress(sa.exc.DBAPIError):
                table.drop(conn, checkfirst=True)


def about_rows(year: int, tags: tuple[str, ...]):
    """The ResponseCriterion rows of `year`'s surveys (not drafts) for the criterion `tags`,
    of the responses released so far (survey.responses.release), each with the organization it is
    about: a tagged question's own, else one row for every organization its survey
    evaluates."""
    c = ResponseCriterion
    about = sa.func.coalesce(c.organization_id, survey_organization.c.organization_id)
    return (
        sa.select(
            c.response_id,
            c.unit_id,
            c.criterion.label("tag"),
            about.label("organization_id"),
            c.n1,
            c.n2,
            c.n3,
            c.n4,
            c.n5,
        )
        .join(Survey, Survey.id == c.survey_id)
        .outerjoin(
            survey_organization,
            sa.and_(survey_organization.c.survey_id == c.survey_id, c.organization_id.is_(None)),
        )
        .where(
            Survey.year == year,
            Survey.status != "draft",
            counted_in_joined_survey(c.released),
            c.criterion.in_(tags),
            about.is_not(None),
        )
        .subquery()
    )


def criterion_counts(year: int) -> tuple[Counts, Counts]:
    """Per criterion tag, organization and village: respondents, and the sum of their top-2
    shares (a respondent counts once per criterion: its share of top-2 answers); first over
    every response of `year`, then over the flagged ones (FLAGGED) only, in one pass.

    An untagged question counts for every organization its survey evaluates; a tagged one for
    its own.
    """
    e = about_rows(year, tuple(SURVEY_CRITERIA.values()))
    values = [e.c[f"n{v}"] for v in range(1, 6)]
    flagged = sa.exists().where(FLAGGED.c.response_id == e.c.response_id)
    per = (
        sa.select(
            e.c.unit_id,
            e.c.tag,
            e.c.organization_id,
            sa.func.max(sa.case((flagged, 1), else_=0)).label("flagged"),
            (
                sa.cast(sa.func.sum(values[3] + values[4]), sa.Float)
                / sa.func.sum(sum(values[1:], values[0]))
            ).label("share"),
        )
        .group_by(e.c.response_id, e.c.unit_id, e.c.tag, e.c.organization_id)
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
    flagged_counts: Counts = {tag: {} for tag in SURVEY_CRITERIA.values()}
    for tag, org_id, unit, respondents, top2, flagged_n, flagged_top2 in rows:
        counts[tag].setdefault(org_id, []).append(
            VillageCounts(unit or "", int(respondents), float(top2 or 0))
        )
        if flagged_n:
            flagged_counts[tag].setdefault(org_id, []).append(
                VillageCounts(unit or "", int(flagged_n), float(flagged_top2 or 0))
            )
    return counts, flagged_counts


def flagged_by_organization(year: int) -> dict[int, tuple[int, tuple[tuple[str, int], ...]]]:
    """Per organization id: the flagged responses (FLAGGED) counted in its survey criteria of
    `year`, each once, and how many each check flagged."""
    e = about_rows(year, tuple(SURVEY_CRITERIA.values()))
    joined = e.join(FLAGGED, FLAGGED.c.response_id == e.c.response_id)
    distinct = sa.func.count(sa.distinct(e.c.response_id))
    totals = db.session.execute(
        sa.select(e.c.organization_id, distinct).select_from(joined).group_by(e.c.organization_id)
    ).all()
    kinds: dict[int, list[tuple[str, int]]] = {}
    for org_id, kind, n in db.session.execute(
        sa.select(e.c.organization_id, FLAGGED.c.kind, distinct)
        .select_from(joined)
        .group_by(e.c.organization_id, FLAGGED.c.kind)
        .order_by(e.c.organization_id, FLAGGED.c.kind)
    ):
        kinds.setdefault(org_id, []).append((kind, int(n)))
    return {org_id: (int(n), tuple(kinds.get(org_id, ()))) for org_id, n in totals}


def mark_straight_lining(responses, min_items: int) -> dict[int, int]:
    """Flag, in FLAGGED, the `responses` (an SQL condition on Response) that gave one and the
    same answer to `min_items` or more likert questions; return how many per survey id."""
    same = sa.select(Response.id, sa.literal("straight_liner"), Response.survey_id).where(
        responses, Response.uniform_likert >= min_items
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
    """The criteria counts of `year` over every response (for callers outside an evaluation)."""
    with flag_tables():
        return criterion_counts(year)[0]
