"""The year's rating as its readers get it: the Evaluation JSON, each finalized organization as
its snapshot, the others from the year's evaluation as this worker keeps it.

Every reader (the dashboards, the ratings page, the API, the year report, `flask evaluate`)
comes here, one step from the evaluation itself (survey.ratings.evaluation); writing the
snapshots is survey.ratings.finalization's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from analytics import evaluation_document, integrity_summary
from survey.core.extensions import db
from survey.models import Evaluation, Organization
from survey.ratings.evaluation import YearEvaluation, comparisons, evaluate_year
from survey.ratings.heads import heads_of_years
from survey.ratings.kept_figures import Cached, figure, kept, released_of_years
from survey.ratings.steps import assessments_of_years, with_steps
from survey.responses.suppression import flags_with_villages_hidden

LANGS = ("vi", "en")


@figure("evaluation", scope=released_of_years)
def _evaluation(year: int) -> YearEvaluation:
    return evaluate_year(year)


@figure("comparisons", scope=lambda year: released_of_years(year - 1, year))
def _comparisons(year: int):
    return comparisons(year)


def kept_evaluation(year: int) -> Cached:
    """The year's evaluation (every organization), kept."""
    return kept("evaluation", year)


def kept_comparisons(year: int) -> Cached:
    """The year's comparisons (year over year, across organizations), kept."""
    return kept("comparisons", year)


def input_digest(organization: dict) -> str:
    """SHA-256 of what a rating was computed from: each criterion's value, sample and evidence,
    and the vetoes (one organization of the Evaluation JSON).

    A dialogue criterion's `"source": "typed"` is left out: typed figures carried no source
    before it was written, and a year finalized then must not read as changed for it."""
    inputs = {
        "criteria": [
            [c["code"], c["value"], c["n"], c["n_eff"], _without_typed(c["evidence"])]
            for c in organization["criteria"]
        ],
        "vetoes": organization["vetoes"],
    }
    payload = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _without_typed(evidence: dict) -> dict:
    if evidence.get("source") == "typed":
        return {key: value for key, value in evidence.items() if key != "source"}
    return evidence


def snapshots(year: int) -> dict[str, Evaluation]:
    """The finalized snapshots of `year`, by organization code."""
    return snapshots_of_years([year]).get(year, {})


def snapshots_of_years(years) -> dict[int, dict[str, Evaluation]]:
    """The finalized snapshots of each of `years`, by organization code, read at once."""
    rows = db.session.execute(
        sa.select(Organization.code, Evaluation)
        .join(Organization, Organization.id == Evaluation.organization_id)
        .where(Evaluation.year.in_(years))
    ).all()
    found: dict[int, dict[str, Evaluation]] = {}
    for code, evaluation in rows:
        found.setdefault(evaluation.year, {})[code] = evaluation
    return found


def year_document(
    year: int,
    organization: str | None = None,
    lang: str = "vi",
    with_integrity: bool = False,
    evaluation: YearEvaluation | None = None,
) -> dict:
    """The Evaluation JSON of `year`: finalized organizations as their snapshot, the others
    as computed now (or in `evaluation`, the year's evaluation kept by a dashboard); with
    `with_integrity`, the integrity flags per survey (for the readers of every result)."""
    if evaluation is None:
        evaluation = evaluate_year(year)
    return year_documents({year: evaluation}, organization, lang, with_integrity)[year]


def year_documents(
    evaluations: dict[int, YearEvaluation],
    organization: str | None = None,
    lang: str = "vi",
    with_integrity: bool = False,
) -> dict[int, dict]:
    """year_document of each year of `evaluations` (its evaluation), the snapshots, steps and
    heads of all of them read at once (the overview's trend shows several years)."""
    lang = lang if lang in LANGS else "vi"  # the rating speaks Vietnamese and English only
    years = list(evaluations)
    snapshots_ = snapshots_of_years(years)
    steps = assessments_of_years(years)
    heads = heads_of_years(years)
    return {
        year: _document(
            year,
            evaluation,
            organization,
            lang,
            with_integrity,
            (snapshots_.get(year, {}), steps.get(year, {}), heads.get(year, {})),
        )
        for year, evaluation in evaluations.items()
    }


def _document(year, evaluation, organization, lang, with_integrity, of_year) -> dict:
    """The Evaluation JSON of `year` from its evaluation and its (snapshots, steps, heads)."""
    snapshots_, steps, heads = of_year
    results = [r for r in evaluation.results if organization in (None, r.code)]
    document = evaluation_document(year, evaluation.rules, results, lang)
    if with_integrity:
        # A flagged burst names no village the survey's results hide.
        document["integrity"] = flags_with_villages_hidden(
            integrity_summary((i.survey_code, i.flags) for i in evaluation.integrity)
        )
    organizations = []
    for current in document["organizations"]:
        snapshot = snapshots_.get(current["org"])
        row = steps.get(current["org"])
        if snapshot is None:
            organizations.append(
                with_steps(current, row, lang, heads.get(current["org"], ()))
                | {"changed_since_finalization": False}
            )
            continue
        # A snapshot taken before the steps existed: its tier was the computed one.
        kept = {"computed_tier": snapshot.details[lang]["tier"]} | STEPLESS
        kept |= dict(snapshot.details[lang])
        kept["finalized"] = True
        # A decision taken after finalizing (a re-rating) counts once finalized again.
        kept["decision_pending"] = bool(
            row is not None and row.decided_at and row.decided_at > snapshot.finalized_at
        )
        kept["finalized_at"] = snapshot.finalized_at.isoformat()
        kept["changed_since_finalization"] = input_digest(current) != snapshot.data_digest
        organizations.append(kept)
    document["organizations"] = organizations
    return document


# What an organization's entry holds about the steps when none was taken.
STEPLESS = {
    "decided": False,
    "adjustment": None,
    "self_assessment": None,
    "review": None,
    "heads": [],
}


@dataclass(frozen=True)
class KeptRating:
    """The Evaluation JSON of a year, and the kept evaluation it was made from (when it was
    computed, whether newer data are coming)."""

    document: dict
    kept: Cached


def year_rating(
    year: int, organization: str | None = None, lang: str = "vi", with_integrity: bool = False
) -> KeptRating:
    """The Evaluation JSON of `year` (one organization's, with `organization`) from the kept
    evaluation; raises kept_figures.NotReady while this worker first computes it."""
    kept = kept_evaluation(year)
    document = year_document(year, organization, lang, with_integrity, evaluation=kept.value)
    return KeptRating(document, kept)
