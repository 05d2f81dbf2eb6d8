"""The year-end report's gathering: what the report and the year's workbook show, read once
from the database and other packages' results, as plain data.

`gather_year(year)` runs the queries (the Evaluation JSON with its integrity flags, the
commune's targets, each survey's Results JSON, the feedback topics) and returns a YearData;
survey.reports.year_report writes the report's text from it, survey.reports.workbooks the
year's workbook, so both hold the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from analytics import CommuneTarget, RuleSet, commune_targets, flags_without_hidden_villages
from survey.commune.settings import setting
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, year_bounds
from survey.models import (
    AnnualIndicator,
    Evaluation,
    FeedbackItem,
    Organization,
    Question,
    Survey,
)
from survey.models.vocabulary import COMMENDATION_GROUND_NAMES
from survey.programmes.year_tasks import ProgrammeRow, year_programmes
from survey.ratings import commendations
from survey.ratings.integrity_text import flag_text
from survey.ratings.reading import year_document
from survey.ratings.rulesets import commune_rules
from survey.reports.results import survey_results
from survey.responses import catalog

# What stands in a cell the Results JSON hides (a village with too few respondents).
SUPPRESSED = "—"


class NothingToReport(ValueError):
    """The year has no surveys, annual figures or finalized ratings to report on."""


@dataclass(frozen=True)
class QuestionInfo:
    """What the workbook says about a question beside its numbers: its text and options."""

    code: str
    kind: str
    text: str
    options: Mapping[str, str]  # option code -> label
    number: int = 0  # its place in the survey ("Câu n"), counting every question

    @property
    def heading(self) -> str:
        """The question as a column or row names it: "Câu 3. Bà con hài lòng ...?"."""
        return f"{_('Question %(n)d', n=self.number)}. {self.text}"


@dataclass(frozen=True)
class SurveyData:
    """One survey of the year with its Results JSON (small villages already suppressed)."""

    code: str
    title: str
    audience: str
    topic: str
    status: str
    questions: tuple[QuestionInfo, ...]
    results: Mapping


@dataclass(frozen=True)
class YearData:
    """What the year's report and workbook are made of, from the database."""

    year: int
    lang: str
    document: Mapping  # the Evaluation JSON, with "integrity"
    targets: tuple[CommuneTarget, ...]
    surveys: tuple[SurveyData, ...]
    feedback_topics: Mapping[str, tuple[tuple[str | None, int], ...]]  # org -> (topic, n)
    village_names: Mapping[str, str]
    rules: RuleSet
    suppression_k: int
    commune_name: str
    district_name: str
    province_name: str
    today: date
    # The year's list of commendations: (who, ground, achievements) and whether it is confirmed.
    commendations: tuple[tuple[str, str, str], ...] = ()
    commendations_confirmed: bool = False
    # The year's coordination programmes with their tasks (survey.programmes.year_tasks).
    programmes: tuple[ProgrammeRow, ...] = ()


def has_figures(year: int) -> bool:
    """Whether `year` has anything to report: a survey past its draft, annual figures, or a
    finalized rating."""
    if not 2000 <= year <= 2100:  # no data outside the years surveys take (nor integer overflow)
        return False
    for query in (
        sa.select(Survey.id).where(Survey.year == year, Survey.status != "draft"),
        sa.select(AnnualIndicator.id).where(AnnualIndicator.year == year),
        sa.select(Evaluation.id).where(Evaluation.year == year),
    ):
        if db.session.scalar(query.limit(1)) is not None:
            return True
    return False


def question_infos(survey, lang, free_text=False):
    """The survey's questions (those with figures, or every one with `free_text`)."""
    return tuple(
        QuestionInfo(
            q.code,
            q.kind,
            _in(q.text, lang),
            {o.code: _in(o.label, lang) for o in q.options},
            number,
        )
        for number, q in enumerate(survey.questions, start=1)
        if free_text or q.kind != "text"
    )


def _in(texts, lang):
    texts = texts or {}
    return texts.get(lang) or texts.get("vi") or next(iter(texts.values()), "")


def survey_data(survey, lang: str = "vi") -> SurveyData:
    """One survey's questions and Results JSON, for the workbooks."""
    return SurveyData(
        code=survey.code,
        title=survey.text("title", lang),
        audience=survey.audience,
        topic=survey.topic,
        status=survey.status,
        questions=question_infos(survey, lang),
        results=survey_results(survey),
    )


def feedback_topics(year: int) -> dict[str, tuple[tuple[str | None, int], ...]]:
    """Per organization code: its feedback received in `year` counted by topic, most first."""
    start, end = year_bounds(year)
    rows = db.session.execute(
        sa.select(Organization.code, FeedbackItem.topic, sa.func.count())
        .join(Organization, Organization.id == FeedbackItem.organization_id)
        .where(FeedbackItem.received_at >= start, FeedbackItem.received_at < end)
        .group_by(Organization.code, FeedbackItem.topic)
    ).all()
    found: dict[str, list[tuple[str | None, int]]] = {}
    for code, topic, n in rows:
        found.setdefault(code, []).append((topic, int(n)))
    return {
        code: tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0] is None, pair[0] or "")))
        for code, pairs in found.items()
    }


def gather_year(year: int, lang: str = "vi", today: date | None = None) -> YearData:
    """Everything the year's report and workbook show; NothingToReport for an empty year.

    May raise analytics' AnalyticsError when the commune's rule set cannot be read.
    """
    if not has_figures(year):
        raise NothingToReport("no surveys, annual figures or finalized ratings for this year")
    document = year_document(year, lang=lang, with_integrity=True)
    if not document["organizations"]:
        raise NothingToReport("the commune has no organizations to report on")
    today = today or datetime.now(COMMUNE_TIME).date()
    surveys = db.session.scalars(
        sa.select(Survey)
        .where(Survey.year == year, Survey.status != "draft")
        .order_by(Survey.code)
        .options(selectinload(Survey.questions).selectinload(Question.options))
    ).all()
    return YearData(
        year=year,
        lang=lang,
        document=document,
        targets=commune_targets(document),
        surveys=tuple(survey_data(s, lang) for s in surveys),
        feedback_topics=feedback_topics(year),
        village_names=catalog.village_names(),
        rules=commune_rules(year),
        suppression_k=int(setting("SUPPRESSION_K")),
        commune_name=setting("COMMUNE_NAME") or "",
        district_name=setting("DISTRICT_NAME") or "",
        province_name=setting("PROVINCE_NAME") or "",
        today=today,
        programmes=tuple(year_programmes(year, today)),
        **_commendations(year),
    )


def _commendations(year):
    entries = commendations.year_list(year)
    return {
        "commendations": tuple(
            (
                f"{e.head_name} ({e.organization.name})" if e.head_name else e.organization.name,
                str(COMMENDATION_GROUND_NAMES[e.ground]),
                e.note,
            )
            for e in entries
        ),
        "commendations_confirmed": commendations.confirmed(entries),
    }


@dataclass(frozen=True)
class IntegrityRow:
    """One check that flagged responses in a survey, as the report and workbook show it."""

    survey: str
    check: str
    responses: int | None  # None: it would tell the size of a hidden village
    groups: int
    villages: tuple[str, ...]  # names; SUPPRESSED for a village the Results JSON hides


def integrity_rows(data: YearData) -> list[IntegrityRow]:
    """The year's integrity flags, with the survey's hidden villages kept hidden.

    A burst names its villages; a village the survey's Results JSON suppresses shows as
    SUPPRESSED, and a flag whose villages are all hidden shows no count either, since the
    count would then be that village's.
    """
    hidden = {
        s.code: {code for code, unit in s.results["units"].items() if unit["suppressed"]}
        for s in data.surveys
    }
    flags = flags_without_hidden_villages(data.document.get("integrity") or [], hidden)
    titles = {s.code: s.title for s in data.surveys}
    rows = [
        IntegrityRow(
            survey=titles.get(flag["survey"], flag["survey"]),
            check=flag_text(flag),
            responses=flag["responses"],
            groups=flag["groups"],
            villages=tuple(
                SUPPRESSED if u is None else data.village_names.get(u, u) for u in flag["units"]
            ),
        )
        for flag in flags
    ]
    return rows
