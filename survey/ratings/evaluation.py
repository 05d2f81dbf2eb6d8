"""The annual evaluation: SQL aggregates -> analytics -> ratings
(docs/architecture.md#a-rating-step-by-step).

Every number comes from a GROUP BY in the database; no response is loaded into Python. The
views, the CLI and the API call `evaluate_year` and hand its result to analytics.report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from analytics import (
    Comparison,
    Evidence,
    FeedbackCounts,
    FlaggedResponses,
    IndicatorRow,
    OrganizationResult,
    RuleSet,
    VillageCounts,
    across_organizations,
    annual_rating,
    apply_cap,
    feedback_criterion,
    indicator_criteria,
    sensitive_criteria,
    survey_criterion,
    task_criterion,
    year_over_year,
)
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, year_bounds
from survey.dialogues.counts import DialogueCounts, dialogue_counts
from survey.models import (
    AnnualIndicator,
    FeedbackItem,
    Organization,
    Survey,
    Unit,
)
from survey.programmes.tasks import task_counts
from survey.ratings.integrity_checks import SurveyIntegrity, year_integrity
from survey.ratings.rulesets import commune_rules
from survey.ratings.year_scan import (
    FLAGGED,
    SURVEY_CRITERIA,
    about_rows,
    criterion_counts,
    flag_tables,
    flagged_by_organization,
)

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


def with_recorded_dialogues(
    rows: dict[int, IndicatorRow], counts: dict[int, DialogueCounts]
) -> tuple[dict[int, IndicatorRow], set[int]]:
    """The annual figures with `dialogues_planned` and `dialogues_held` read from the records
    of the meetings (survey.dialogues.counts) instead of the typed ones, for each organization
    with meetings recorded in the year; and the ids of those organizations. An organization
    without typed figures stays without them: the records alone do not make it rated."""
    recorded = {org_id for org_id in rows if org_id in counts}
    return {
        org_id: replace(
            row,
            dialogues_planned=counts[org_id].planned,
            dialogues_held=counts[org_id].held,
        )
        if org_id in recorded
        else row
        for org_id, row in rows.items()
    }, recorded


# --- survey criteria -------------------------------------------------------------------------


Counts = dict[str, dict[int, list[VillageCounts]]]


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


def likert_answers(
    year: int, tag: str, without_flagged: bool = False
) -> dict[str, dict[float, int]]:
    """Per organization code: the criterion's likert answers of `year`, counted by value
    (from ResponseCriterion; an untagged question counts for every organization its survey
    evaluates); with `without_flagged`, less the responses in FLAGGED."""
    e = about_rows(year, (tag,))
    query = (
        sa.select(Organization.code, *(sa.func.sum(e.c[f"n{v}"]) for v in range(1, 6)))
        .join(Organization, Organization.id == e.c.organization_id)
        .group_by(Organization.code)
    )
    if without_flagged:
        query = query.where(~sa.exists().where(FLAGGED.c.response_id == e.c.response_id))
    return {
        code: {float(value): int(n) for value, n in enumerate(counts, 1) if n}
        for code, *counts in db.session.execute(query).all()
    }


def comparisons(year: int) -> tuple[Comparison, ...]:
    """Each survey criterion: every organization against its previous year, and all of them
    against each other this year; a year whose rule set leaves flagged responses out of the
    rating leaves them out here too, so the page's shares are the rating's."""
    years = (year - 1, year)
    leave_out = {y: commune_rules(y).exclude_flagged for y in years}
    with flag_tables():
        flagged_years = [y for y in years if leave_out[y]]
        if flagged_years:
            year_integrity(
                db.session.scalars(
                    sa.select(Survey).where(
                        Survey.year.in_(flagged_years), Survey.status != "draft"
                    )
                ).all()
            )
        answers = {
            (y, tag): likert_answers(y, tag, leave_out[y])
            for y in years
            for tag in SURVEY_CRITERIA.values()
        }
    found = []
    for criterion, tag in SURVEY_CRITERIA.items():
        now, before = answers[(year, tag)], answers[(year - 1, tag)]
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
    start, end = year_bounds(year)
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


def _ratings(organizations, rules, figures, survey_values, feedback, tasks):
    indicators, recorded = figures  # recorded: organizations whose dialogues were counted
    ratings = []
    for org in organizations:
        row = indicators.get(org.id, IndicatorRow())
        values = indicator_criteria(row, dialogues_recorded=org.id in recorded)
        for criterion, by_org in survey_values.items():
            if org.id in by_org:
                values[criterion] = by_org[org.id]
        values["feedback_answered"] = feedback_criterion(
            feedback.get(org.id, FeedbackCounts(0, 0)), rules.level
        )
        values["tasks_on_time"] = task_criterion(tasks.get(org.id))
        vetoes = [
            v
            for v, on in (("discipline", row.veto_discipline), ("disunity", row.veto_disunity))
            if on
        ]
        evidence = Evidence(members_disciplined=row.members_disciplined, tasks=tasks.get(org.id))
        ratings.append(annual_rating(org.code, values, vetoes, rules, evidence))
    return apply_cap(ratings, rules)


def evaluate_year(year: int, organization: str | None = None) -> YearEvaluation:
    """Rate every organization for `year` (the cap needs them all), then keep `organization`.

    The survey criteria are computed over every response and without the flagged ones; the
    rule set's `exclude_flagged` says which of the two is the rating, and the other marks the
    criteria it would change ("to review")."""
    rules = commune_rules(year)
    organizations = db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.code)
    ).all()
    figures = with_recorded_dialogues(indicator_rows(year), dialogue_counts(year))
    population = village_population()
    feedback = feedback_counts(year, rules.answer_within_days)
    tasks = task_counts(year, datetime.now(COMMUNE_TIME).date())
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.year == year, Survey.status != "draft").order_by(Survey.code)
    ).all()
    with flag_tables():
        integrity = year_integrity(surveys)
        flagged = any(i.flags for i in integrity)
        counts, flagged_counts = criterion_counts(year)
        by_organization = flagged_by_organization(year) if flagged else {}

    def rate(survey_counts):
        values = _survey_values(year, rules, survey_counts, population)
        return _ratings(organizations, rules, figures, values, feedback, tasks)

    with_all = rate(counts)
    without_flagged = rate(without(counts, flagged_counts)) if flagged else with_all
    ratings, others = (
        (without_flagged, with_all) if rules.exclude_flagged else (with_all, without_flagged)
    )
    results = []
    for org, rating, other in zip(organizations, ratings, others, strict=True):
        if organization is not None and org.code != organization:
            continue
        n, kinds = by_organization.get(org.id, (0, ()))
        results.append(
            OrganizationResult(
                code=org.code,
                name=org.name,
                rating=rating,
                sensitive=sensitive_criteria(rating, other),
                flagged=FlaggedResponses(n, kinds, rules.exclude_flagged),
            )
        )
    return YearEvaluation(year, rules, tuple(results), integrity)
