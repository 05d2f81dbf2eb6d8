"""What the dashboards show, gathered from the kept aggregates (survey.ratings.kept_figures).

Views and templates compute nothing: every number here comes from the analytics module (the
Evaluation and Results JSON, the comparisons, the commune targets) and is only arranged into
tables and chart data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from analytics import CommuneTarget, Comparison, commune_targets, criterion_label, integrity_summary
from survey.commune.about import surveys_about
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, current_year
from survey.models import (
    AnnualIndicator,
    FeedbackItem,
    Organization,
    Response,
    Survey,
)
from survey.programmes.tasks import task_counts
from survey.programmes.year_tasks import commune_today
from survey.ratings.integrity_checks import epoch_seconds, survey_integrity
from survey.ratings.kept_figures import (
    Cached,
    Freshness,
    figure,
    gathered,
    kept,
    latest_response_of_survey,
    latest_response_of_years,
    released_of_survey,
)
from survey.ratings.reading import year_document, year_documents
from survey.reports.results import survey_results
from survey.responses import catalog
from survey.responses.release import release_summary
from survey.responses.suppression import flags_with_villages_hidden
from survey.surveys.provenance import survey_provenance

LIKERT_VALUES = ("1", "2", "3", "4", "5")
DAY = 86400
COMMUNE_OFFSET = COMMUNE_TIME.utcoffset(None).total_seconds()
EPOCH_DAY = date(1970, 1, 1)
CHART_CAP = 150  # percent of a target: the side-by-side chart's end
RECENT_FEEDBACK = 10


@figure("results", scope=released_of_survey)
def _results(survey_id: int):
    return survey_results(db.session.get(Survey, survey_id))


@figure("provenance", scope=latest_response_of_survey)
def _provenance(survey_id: int):
    return survey_provenance(survey_id)


def kept_results(survey_id: int) -> Cached:
    """A survey's Results JSON, kept."""
    return kept("results", survey_id)


def kept_provenance(survey_id: int) -> Cached:
    """Where a survey came from and how its answers came in (survey.surveys.provenance), kept."""
    return kept("provenance", survey_id)


def evaluation_years() -> list[int]:
    """The years with surveys (not drafts) or annual figures, oldest first; this year when
    there are none."""
    years = set(
        db.session.scalars(sa.select(Survey.year).where(Survey.status != "draft").distinct())
    )
    years |= set(db.session.scalars(sa.select(AnnualIndicator.year).distinct()))
    return sorted(years) or [current_year()]


def evidence_years() -> list[int]:
    """The years with something to rate on: annual figures, or responses to a survey. A year
    whose surveys have only just opened is not one yet."""
    years = set(db.session.scalars(sa.select(AnnualIndicator.year).distinct()))
    answered = sa.select(Survey.year).where(sa.exists().where(Response.survey_id == Survey.id))
    years |= set(db.session.scalars(answered.distinct()))
    return sorted(years)


# --- the committee's overview ----------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """The Standing Committee's overview of a year: ratings, targets, trend, criteria."""

    year: int
    document: dict
    targets: tuple[CommuneTarget, ...]
    names: dict[str, str]
    trend: dict
    criteria_chart: dict
    freshness: Freshness
    # Per organization code: its tasks of the year due by today, done on time and in all.
    tasks_on_time: dict[str, tuple[int, int]]


def overview(year: int, lang: str, years: list[int] | None = None) -> Overview:
    """Every organization's rating for `year`, the score trend over the years, the criteria
    side by side and the commune's targets (`years`: evaluation_years(), when read already)."""
    years = evaluation_years() if years is None else years
    years = sorted({y for y in years if y <= year} | {year})
    found = dict(zip(years, gathered(*(("evaluation", y) for y in years)), strict=True))
    documents = year_documents({y: k.value for y, k in found.items()}, None, lang)
    document = documents[year]
    names = _short_names()
    return Overview(
        year=year,
        document=document,
        targets=commune_targets(document),
        names=names,
        trend=_trend(documents, names),
        criteria_chart=_criteria_chart(document, names, lang),
        freshness=Freshness.of(*found.values()),
        tasks_on_time=_tasks_on_time(year),
    )


def _tasks_on_time(year: int) -> dict[str, tuple[int, int]]:
    """Each organization's tasks of `year` due by today, as (done on time, due), as the rating
    counts them (survey.programmes.tasks)."""
    counts = task_counts(year, commune_today())
    codes = dict(db.session.execute(sa.select(Organization.id, Organization.code)).all())
    return {codes[org_id]: (c.on_time, c.total) for org_id, c in counts.items() if c.total}


def _short_names() -> dict[str, str]:
    rows = db.session.execute(
        sa.select(Organization.code, Organization.short_name, Organization.name)
    )
    return {code: short or name for code, short, name in rows}


def _trend(documents: dict[int, dict], names: dict[str, str]) -> dict:
    """Scores per organization over the years (a line per organization)."""
    years = sorted(documents)
    codes = [o["org"] for o in documents[years[-1]]["organizations"]]
    scores = {
        y: {o["org"]: o["score"] for o in documents[y]["organizations"] if o["criteria"]}
        for y in years
    }
    return {
        "labels": [str(y) for y in years],
        "datasets": [
            {"label": names.get(code, code), "data": [scores[y].get(code) for y in years]}
            for code in codes
        ],
    }


def _criteria_chart(document: dict, names: dict[str, str], lang: str) -> dict:
    """Each criterion's achievement as a share of its target (100 = met), per organization
    (grouped bars); shown up to 150 so that one large figure does not flatten the rest."""
    organizations = document["organizations"]
    codes = [c["code"] for c in organizations[0]["criteria"]] if organizations else []
    datasets = []
    for org in organizations:
        by_code = {c["code"]: c for c in org["criteria"]}
        datasets.append(
            {
                "label": names.get(org["org"], org["name"]),
                "data": [_of_target(by_code.get(code), cap=CHART_CAP) for code in codes],
            }
        )
    return {"labels": [criterion_label(code, lang) for code in codes], "datasets": datasets}


def _of_target(criterion: dict | None, value=None, cap=None) -> float | None:
    """A criterion's value (or `value`) as a percentage of its target."""
    if criterion is None or not criterion["target"]:
        return None
    value = criterion["value"] if value is None else value
    if value is None:
        return None
    share = 100 * value / criterion["target"]
    return round(share if cap is None else min(share, cap), 1)


# --- one organization ------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionBlock:
    """One question's results, with its labels, as a table row and a chart."""

    code: str
    text: str
    kind: str
    result: dict
    shares: tuple[tuple[str, int, float], ...]  # label, count, share of answers


@dataclass(frozen=True)
class SurveyBlock:
    """One survey as an organization's page shows it: its questions, villages and counts."""

    code: str
    title: str
    respondents: int
    questions: tuple[QuestionBlock, ...]
    units: tuple  # (village name, its cell), in the results' order
    likert_chart: dict
    suppression_k: int


@dataclass(frozen=True)
class RecentFeedback:
    """A feedback item of the organization's latest ones, as its page lists it."""

    text: str
    received_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class FeedbackSummary:
    """How many feedback items the organization received in the year, and answered."""

    received: int
    answered: int
    recent: tuple[RecentFeedback, ...]


@dataclass(frozen=True)
class OrganizationPage:
    """One organization's year: its rating, criteria, surveys, comparisons and feedback."""

    year: int
    organization: Organization
    rating: dict | None
    criteria_chart: dict
    surveys: tuple[SurveyBlock, ...]
    provenance: tuple  # survey.surveys.provenance.Provenance, one per survey
    comparisons: tuple[Comparison, ...]
    feedback: FeedbackSummary
    freshness: Freshness


def organization_page(organization: Organization, year: int, lang: str) -> OrganizationPage:
    """One organization's year: its criteria with their intervals, its surveys' questions,
    their villages, the change from last year with its tests, and its latest feedback."""
    about = _surveys_about(organization, year)
    found = gathered(
        ("evaluation", year),
        ("comparisons", year),
        ("feedback", organization.id, year),
        *(("results", survey.id) for survey in about),
        *(("provenance", survey.id) for survey in about),
    )
    evaluation, compared, feedback, *rest = found
    results, origins = rest[: len(about)], rest[len(about) :]
    document = year_document(year, organization.code, lang, evaluation=evaluation.value)
    rating = document["organizations"][0] if document["organizations"] else None
    surveys = [
        _survey_block(survey, result.value, lang)
        for survey, result in zip(about, results, strict=True)
    ]
    return OrganizationPage(
        year=year,
        organization=organization,
        rating=rating,
        criteria_chart=_interval_chart(rating) if rating else {},
        surveys=tuple(surveys),
        provenance=tuple(origin.value for origin in origins),
        comparisons=tuple(c for c in compared.value if c.subject in (organization.code, "*")),
        feedback=feedback.value,
        freshness=Freshness.of(*found),
    )


def _surveys_about(organization: Organization, year: int) -> list[Survey]:
    """The year's surveys that count toward the organization: those that evaluate it and
    those with a question tagged to it (the rating's own rule, year_scan.about_pairs); each
    with its questions as this worker keeps them (responses.catalog.survey_snapshot)."""
    codes = db.session.scalars(
        sa.select(Survey.code)
        .where(
            Survey.id.in_(surveys_about(organization.id)),
            Survey.year == year,
            Survey.status != "draft",
        )
        .order_by(Survey.code)
    ).all()
    return [survey for survey in map(catalog.survey_snapshot, codes) if survey is not None]


def _interval_chart(rating: dict) -> dict:
    """Each criterion's achievement as a share of its target, with the interval where the
    criterion has one (a survey criterion): 100 is the target."""
    rows = []
    for c in rating["criteria"]:
        value = _of_target(c)
        if value is None:
            continue
        low, high = (None, None) if c["ci"] is None else c["ci"]
        rows.append(
            {
                "label": c["label"],
                "value": value,
                "low": None if low is None else _of_target(c, low),
                "high": None if high is None else _of_target(c, high),
            }
        )
    return {"rows": rows, "target": 100}


def _survey_block(survey: Survey, results: dict, lang: str) -> SurveyBlock:
    village_names = catalog.village_names()
    questions = []
    likert_rows = []
    for question in sorted(survey.questions, key=lambda q: q.position):
        result = results["questions"].get(question.code)
        if result is None or question.kind == "text":
            continue
        text = _text(question.text, lang)
        # A question answered by fewer than k shows no figure (analytics.results).
        shares = () if result.get("suppressed") else _shares(question, result, lang)
        questions.append(QuestionBlock(question.code, text, question.kind, result, shares))
        if question.kind == "likert5" and result["n"]:
            likert_rows.append((text, [share for _label, _n, share in shares]))
    return SurveyBlock(
        code=survey.code,
        title=_text(survey.title, lang),
        respondents=results["n"],
        questions=tuple(questions),
        # Villages by name, as officers know them; the results are keyed by code.
        units=tuple(
            (village_names.get(code, code), cell) for code, cell in results["units"].items()
        ),
        likert_chart={
            "labels": [text for text, _s in likert_rows],
            "datasets": [
                {"label": value, "data": [row[i] for _t, row in likert_rows]}
                for i, value in enumerate(LIKERT_VALUES)
            ],
        },
        suppression_k=results["suppression_k"],
    )


def _shares(question, result: dict, lang: str) -> tuple[tuple[str, int, float], ...]:
    """Each answer's label, count and share of the question's answers."""
    counts = result.get("counts") or {}
    n = result["n"] or 0
    if question.kind in ("single", "multi"):
        labels = [
            (o.code, _text(o.label, lang))
            for o in sorted(question.options, key=lambda o: o.position)
        ]
    elif question.kind == "likert5":
        labels = [(v, v) for v in LIKERT_VALUES]
    elif question.kind == "yesno":
        labels = [("1", _("yes")), ("0", _("no"))]
    else:
        labels = [(key, key) for key in sorted(counts, key=_numeric)]
    return tuple(
        (label, int(counts.get(key, 0)), round(100 * counts.get(key, 0) / n, 1) if n else 0.0)
        for key, label in labels
    )


def _numeric(key: str) -> float:
    try:
        return float(key)
    except ValueError:
        return float("inf")


def question_labels(questions, lang: str) -> tuple[tuple[str, str], ...]:
    """(code, text in `lang`) of each of `questions`."""
    return tuple((q.code, _text(q.text, lang)) for q in questions)


def _text(texts: dict, lang: str) -> str:
    return texts.get(lang) or texts.get("vi") or next(iter(texts.values()), "")


@figure("feedback", scope=lambda _organization_id, year: latest_response_of_years(year))
def _feedback(organization_id: int, year: int) -> FeedbackSummary:
    in_year = sa.and_(
        FeedbackItem.organization_id == organization_id,
        FeedbackItem.survey_id.in_(sa.select(Survey.id).where(Survey.year == year)),
    )
    received, answered = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(FeedbackItem.answered_at)).where(in_year)
    ).one()
    recent = db.session.execute(
        sa.select(FeedbackItem.text, FeedbackItem.received_at, FeedbackItem.answered_at)
        .where(in_year)
        .order_by(FeedbackItem.received_at.desc(), FeedbackItem.id.desc())
        .limit(RECENT_FEEDBACK)
    ).all()
    return FeedbackSummary(
        int(received),
        int(answered),
        tuple(RecentFeedback(text, at, answered_at) for text, at, answered_at in recent),
    )


# --- one survey ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyPage:
    """One survey's results page: every question, villages, channels, integrity checks."""

    survey: Survey
    block: SurveyBlock
    choice_charts: tuple[tuple[str, dict], ...]  # question code, chart
    timeline: dict
    channels: tuple[tuple[str, int, float], ...]  # channel, responses, share
    integrity: list[dict] | None
    provenance: object  # survey.surveys.provenance.Provenance
    freshness: Freshness
    release: dict  # survey.responses.release.release_summary


def survey_page(survey: Survey, lang: str, with_integrity: bool) -> SurveyPage:
    """A survey's results: every question, answers over time, how they came in, and (for the
    readers of every result) what the integrity checks flagged."""
    wanted = [
        ("results", survey.id),
        # How many answered, day by day, shows at once; what they answered, in batches.
        ("activity", survey.id),
        ("provenance", survey.id),
    ]
    if with_integrity:
        wanted.append(("integrity", survey.id))
    found = gathered(*wanted)
    results, activity, origin = found[:3]
    integrity = found[3].value if with_integrity else None
    block = _survey_block(survey, results.value, lang)
    days, channels = activity.value
    total = sum(n for _c, n in channels)
    return SurveyPage(
        survey=survey,
        block=block,
        choice_charts=tuple(
            (
                q.code,
                {
                    "labels": [label for label, _n, _s in q.shares],
                    "datasets": [{"label": q.text, "data": [s for _l, _n, s in q.shares]}],
                },
            )
            for q in block.questions
            if q.kind in ("single", "multi", "yesno") and q.result["n"]
        ),
        timeline={
            "labels": [day.isoformat() for day, _n in days],
            "datasets": [{"label": "responses", "data": [n for _d, n in days]}],
        },
        channels=tuple(
            (channel, n, round(100 * n / total, 1) if total else 0.0) for channel, n in channels
        ),
        integrity=integrity,
        provenance=origin.value,
        freshness=Freshness.of(*found),
        release=release_summary(survey),
    )


@figure("activity", scope=latest_response_of_survey)
def _activity(survey_id: int):
    """Responses per commune day, and per channel."""
    local_day = sa.cast(
        sa.func.floor((epoch_seconds(Response.submitted_at) + COMMUNE_OFFSET) / DAY), sa.Integer
    )
    days = [
        (EPOCH_DAY + timedelta(days=int(number)), int(n))
        for number, n in db.session.execute(
            sa.select(local_day, sa.func.count())
            .where(Response.survey_id == survey_id)
            .group_by(local_day)
            .order_by(local_day)
        )
    ]
    channels = [
        (channel, int(n))
        for channel, n in db.session.execute(
            sa.select(Response.channel, sa.func.count())
            .where(Response.survey_id == survey_id)
            .group_by(Response.channel)
            .order_by(Response.channel)
        )
    ]
    return days, channels


@figure("integrity", scope=released_of_survey)
def _integrity(survey_id: int) -> list[dict]:
    survey = db.session.get(Survey, survey_id)
    checked = survey_integrity(survey)
    return flags_with_villages_hidden(integrity_summary([(checked.survey_code, checked.flags)]))
