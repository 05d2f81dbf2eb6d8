"""The annual evaluation: SQL aggregates -> analytics -> ratings (DESIGN.md data flow).

Every number comes from a GROUP BY in the database; no response is loaded into Python. The
views, the CLI and the API call `evaluate_year` and hand its result to analytics.report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from analytics.criteria import (
    FeedbackCounts,
    IndicatorRow,
    VillageCounts,
    feedback_criterion,
    indicator_criteria,
    survey_criterion,
)
from analytics.integrity import (
    WINDOW_SECONDS,
    Flag,
    Window,
    bursts,
    duplicates,
    flagged_ids,
    speed_limit,
    speeders,
    straight_liners,
)
from analytics.rating import annual_rating, apply_cap
from analytics.report import (
    Comparison,
    OrganizationResult,
    across_organizations,
    sensitive_criteria,
    year_over_year,
)
from analytics.rules import RuleSet
from survey.extensions import db
from survey.models import (
    AnnualIndicator,
    Answer,
    FeedbackItem,
    Organization,
    Question,
    Response,
    Survey,
    Unit,
    survey_organization,
)
from survey.rulesets import commune_rules

# Survey criteria of the rule set -> the criterion tag their questions carry in surveys.
SURVEY_CRITERIA = {"satisfaction": "satisfaction", "supervision_quality": "supervision"}


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    # The commune's year: 1 January to 31 December in Vietnam's time (UTC+7).
    offset = timedelta(hours=7)
    start = datetime(year, 1, 1, tzinfo=timezone.utc) - offset
    return start, datetime(year + 1, 1, 1, tzinfo=timezone.utc) - offset


# --- indicators ------------------------------------------------------------------------------

_INDICATOR_FIELDS = [f for f in IndicatorRow.__dataclass_fields__]


def indicator_rows(year: int) -> dict[int, IndicatorRow]:
    """Each organization's annual figures for `year`, by organization id."""
    columns = [getattr(AnnualIndicator, f) for f in _INDICATOR_FIELDS]
    rows = db.session.execute(
        sa.select(AnnualIndicator.organization_id, *columns).where(AnnualIndicator.year == year)
    ).all()
    return {
        row[0]: IndicatorRow(**dict(zip(_INDICATOR_FIELDS, row[1:], strict=True))) for row in rows
    }


# --- survey criteria -------------------------------------------------------------------------


# The organization an answer is about: a tagged question's own, else every organization the
# survey evaluates (one row per organization).
_LINKED = sa.outerjoin(
    Question,
    survey_organization,
    sa.and_(
        survey_organization.c.survey_id == Question.survey_id,
        Question.organization_id.is_(None),
    ),
)
_ABOUT = sa.func.coalesce(Question.organization_id, survey_organization.c.organization_id)


def _criterion_answers(year: int, tags: tuple[str, ...], *columns):
    """SELECT `columns` over the likert answers of the criteria `tags` in `year`'s surveys."""
    return (
        sa.select(*columns)
        .select_from(_LINKED)
        .join(Answer, Answer.question_id == Question.id)
        .join(Survey, Survey.id == Question.survey_id)
        .where(
            Survey.year == year,
            Survey.status != "draft",
            Question.kind == "likert5",
            Question.criterion.in_(tags),
            _ABOUT.is_not(None),
        )
    )


def _per_response(year: int, tags: tuple[str, ...], only: frozenset[int] | None):
    """Per response, criterion and organization: likert items answered, and top-2 ones."""
    query = (
        _criterion_answers(
            year,
            tags,
            Response.id.label("response_id"),
            Response.unit_id.label("unit_id"),
            Question.criterion.label("tag"),
            _ABOUT.label("organization_id"),
            sa.func.count().label("item_count"),
            sa.func.sum(sa.case((Answer.number >= 4, 1), else_=0)).label("top"),
        )
        .join(Response, Response.id == Answer.response_id)
        .group_by(Response.id, Response.unit_id, Question.criterion, _ABOUT)
    )
    if only is not None:
        query = query.where(Answer.response_id.in_(sorted(only)))
    return query.subquery()


Counts = dict[str, dict[int, list[VillageCounts]]]


def survey_counts(year: int, only: frozenset[int] | None = None) -> Counts:
    """Per criterion tag, organization and village: respondents and the sum of their top-2
    shares (each respondent counts once per criterion). One pass over the year's answers;
    `only` restricts it to those responses."""
    per = _per_response(year, tuple(SURVEY_CRITERIA.values()), only)
    rows = db.session.execute(
        sa.select(
            per.c.tag,
            per.c.organization_id,
            Unit.code,
            sa.func.count(),
            sa.func.sum(sa.cast(per.c.top, sa.Float) / per.c.item_count),
        )
        .select_from(per)
        .outerjoin(Unit, Unit.id == per.c.unit_id)
        .group_by(per.c.tag, per.c.organization_id, Unit.code)
    ).all()
    counts: Counts = {tag: {} for tag in SURVEY_CRITERIA.values()}
    for tag, org_id, unit, respondents, top2 in rows:
        counts[tag].setdefault(org_id, []).append(
            VillageCounts(unit or "", int(respondents), float(top2 or 0))
        )
    return counts


def without(counts: Counts, flagged: Counts) -> Counts:
    """`counts` less the flagged responses' own counts (village by village)."""
    out: Counts = {}
    for tag, by_org in counts.items():
        out[tag] = {}
        for org_id, rows in by_org.items():
            less = {r.unit: r for r in flagged.get(tag, {}).get(org_id, [])}
            kept = []
            for row in rows:
                minus = less.get(row.unit)
                if minus is None:
                    kept.append(row)
                elif row.respondents > minus.respondents:
                    kept.append(
                        VillageCounts(
                            row.unit,
                            row.respondents - minus.respondents,
                            max(0.0, row.top2 - minus.top2),
                        )
                    )
            out[tag][org_id] = kept
    return out


def likert_answers(year: int, tag: str) -> dict[str, dict[float, int]]:
    """Per organization code: the criterion's likert answers of `year`, counted by value."""
    per = _per_answer(year, tag)
    rows = db.session.execute(
        sa.select(Organization.code, per.c.number, sa.func.count())
        .select_from(per)
        .join(Organization, Organization.id == per.c.organization_id)
        .group_by(Organization.code, per.c.number)
    ).all()
    out: dict[str, dict[float, int]] = {}
    for code, number, n in rows:
        out.setdefault(code, {})[float(number)] = int(n)
    return out


def _per_answer(year: int, tag: str):
    return _criterion_answers(
        year, (tag,), _ABOUT.label("organization_id"), Answer.number.label("number")
    ).subquery()


def comparisons(year: int) -> tuple[Comparison, ...]:
    """Each survey criterion: every organization against its previous year, and all of them
    against each other this year."""
    found = []
    for criterion, tag in SURVEY_CRITERIA.items():
        now, before = likert_answers(year, tag), likert_answers(year - 1, tag)
        for code in sorted(now):
            if code in before:
                found.append(
                    year_over_year(criterion, code, (year - 1, year), (before[code], now[code]))
                )
        if len(now) >= 2:
            found.append(across_organizations(criterion, now))
    return tuple(found)


def village_population() -> dict[str, float]:
    """Adult population per village code (the post-stratification targets)."""
    return {
        code: float(people or 0)
        for code, people in db.session.execute(sa.select(Unit.code, Unit.adult_population))
    }


# --- feedback --------------------------------------------------------------------------------


def feedback_counts(year: int, within_days: int) -> dict[int, FeedbackCounts]:
    """Per organization: feedback received in `year`, and how much was answered in time."""
    start, end = _year_bounds(year)
    if db.engine.dialect.name == "sqlite":
        elapsed_days = sa.func.julianday(FeedbackItem.answered_at) - sa.func.julianday(
            FeedbackItem.received_at
        )
    else:
        elapsed_days = (
            sa.func.extract("epoch", FeedbackItem.answered_at - FeedbackItem.received_at) / 86400.0
        )
    in_time = sa.and_(FeedbackItem.answered_at.is_not(None), elapsed_days <= within_days)
    rows = db.session.execute(
        sa.select(
            FeedbackItem.organization_id,
            sa.func.count(),
            sa.func.sum(sa.case((in_time, 1), else_=0)),
        )
        .where(FeedbackItem.received_at >= start, FeedbackItem.received_at < end)
        .group_by(FeedbackItem.organization_id)
    ).all()
    return {org: FeedbackCounts(int(n), int(ok or 0)) for org, n, ok in rows}


# --- integrity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyIntegrity:
    """The integrity flags of one survey."""

    survey_code: str
    flags: tuple[Flag, ...]

    @property
    def flagged(self) -> frozenset[int]:
        """Every flagged response id."""
        return flagged_ids(self.flags)


def survey_integrity(survey: Survey, min_burst: int = 5) -> SurveyIntegrity:
    """Speeders, straight-liners, bursts and duplicates of one survey, from SQL aggregates."""
    flags: list[Flag] = []
    where = Response.survey_id == survey.id
    durations = dict(
        db.session.execute(
            sa.select(Response.duration_s, sa.func.count())
            .where(where, Response.duration_s.is_not(None))
            .group_by(Response.duration_s)
        ).all()
    )
    limit = speed_limit(durations)
    if limit is not None:
        fast = db.session.scalars(
            sa.select(Response.id).where(where, Response.duration_s < limit.limit_s)
        ).all()
        flags.append(speeders(limit, fast))
    likert = (
        sa.select(
            Answer.response_id,
            sa.func.count(),
            sa.func.count(sa.distinct(Answer.number)),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(where, Answer.kind == "likert5")
        .group_by(Answer.response_id)
        .having(sa.func.count() >= 5, sa.func.count(sa.distinct(Answer.number)) == 1)
    )
    flags.append(straight_liners(db.session.execute(likert).all()))
    flags.extend(_bursts(survey, where, min_burst))
    groups = db.session.execute(
        sa.select(Response.answers_digest)
        .where(where)
        .group_by(Response.answers_digest)
        .having(sa.func.count() > 1)
    ).scalars()
    digests = list(groups)
    if digests:
        members: dict[str, list[int]] = {}
        for rid, digest in db.session.execute(
            sa.select(Response.id, Response.answers_digest).where(
                where, Response.answers_digest.in_(digests)
            )
        ):
            members.setdefault(digest, []).append(rid)
        flags.extend(duplicates(sorted(members.items())))
    return SurveyIntegrity(survey.code, tuple(f for f in flags if f is not None))


def _bursts(survey, where, min_burst):
    seconds = _epoch_seconds(Response.submitted_at)
    window = sa.cast(sa.func.floor(seconds / WINDOW_SECONDS), sa.BigInteger).label("window")
    span = db.session.execute(
        sa.select(sa.func.min(seconds), sa.func.max(seconds)).where(where)
    ).one()
    if span[0] is None:
        return ()
    first, last = survey.opens_at, survey.closes_at
    start = int(first.timestamp()) if first else int(span[0])
    end = int(last.timestamp()) if last else int(span[1])
    open_windows = max(1, (max(end, int(span[1])) - min(start, int(span[0]))) // WINDOW_SECONDS + 1)
    totals = dict(
        db.session.execute(
            sa.select(Unit.code, sa.func.count())
            .select_from(Response)
            .join(Unit, Unit.id == Response.unit_id)
            .where(where)
            .group_by(Unit.code)
        ).all()
    )
    busy = db.session.execute(
        sa.select(Unit.code, Response.unit_id, window)
        .select_from(Response)
        .join(Unit, Unit.id == Response.unit_id)
        .where(where)
        .group_by(Unit.code, Response.unit_id, window)
        .having(sa.func.count() >= min_burst)
    ).all()
    windows = []
    for code, unit_id, number in busy:
        ids = db.session.scalars(
            sa.select(Response.id).where(
                where,
                Response.unit_id == unit_id,
                sa.cast(sa.func.floor(seconds / WINDOW_SECONDS), sa.BigInteger) == number,
            )
        ).all()
        start_at = datetime.fromtimestamp(number * WINDOW_SECONDS, tz=timezone.utc)
        windows.append(Window(code, start_at, tuple(ids)))
    return bursts(windows, totals, open_windows)


def _epoch_seconds(column):
    if db.engine.dialect.name == "sqlite":
        return sa.cast(sa.func.strftime("%s", column), sa.Float)
    return sa.func.extract("epoch", column)


# --- the year --------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearEvaluation:
    """Every organization's rating for a year, with the rule set and the integrity flags."""

    year: int
    rules: RuleSet
    results: tuple[OrganizationResult, ...]
    integrity: tuple[SurveyIntegrity, ...]


def _survey_values(year, rules, counts, population):
    values = {}
    for criterion, tag in SURVEY_CRITERIA.items():
        if rules.criterion(criterion) is None:
            continue
        values[criterion] = {
            org_id: survey_criterion(criterion, rows, population, rules.level)
            for org_id, rows in counts[tag].items()
        }
    return values


def _ratings(organizations, rules, indicators, survey_values, feedback):
    ratings = []
    for org in organizations:
        row = indicators.get(org.id, IndicatorRow())
        values = indicator_criteria(row)
        for criterion, by_org in survey_values.items():
            if org.id in by_org:
                values[criterion] = by_org[org.id]
        values["feedback_answered"] = feedback_criterion(
            feedback.get(org.id, FeedbackCounts(0, 0)), rules.level
        )
        vetoes = [
            v
            for v, on in (("discipline", row.veto_discipline), ("disunity", row.veto_disunity))
            if on
        ]
        ratings.append(annual_rating(org.code, values, vetoes, rules))
    return apply_cap(ratings, rules)


def evaluate_year(year: int, organization: str | None = None) -> YearEvaluation:
    """Rate every organization for `year` (the cap needs them all), then keep `organization`."""
    rules = commune_rules(year)
    organizations = db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.code)
    ).all()
    indicators = indicator_rows(year)
    population = village_population()
    feedback = feedback_counts(year, rules.answer_within_days)
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.year == year, Survey.status != "draft").order_by(Survey.code)
    ).all()
    integrity = tuple(survey_integrity(s) for s in surveys)
    flagged = frozenset().union(*(i.flagged for i in integrity)) if integrity else frozenset()

    counts = survey_counts(year)
    ratings = _ratings(
        organizations, rules, indicators, _survey_values(year, rules, counts, population), feedback
    )
    if flagged:
        clean = without(counts, survey_counts(year, flagged))
        unflagged = _ratings(
            organizations,
            rules,
            indicators,
            _survey_values(year, rules, clean, population),
            feedback,
        )
    else:
        unflagged = ratings
    results = []
    for org, rating, other in zip(organizations, ratings, unflagged, strict=True):
        if organization is not None and org.code != organization:
            continue
        results.append(
            OrganizationResult(
                code=org.code,
                name=org.name,
                rating=rating,
                sensitive=sensitive_criteria(rating, other),
            )
        )
    return YearEvaluation(year, rules, tuple(results), integrity)
