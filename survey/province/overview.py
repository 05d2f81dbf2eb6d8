"""What the province reads of its communes: their organizations' tiers (decided, or computed
from the data so far), the resolution's targets met per commune, satisfaction per commune with
its interval, the same shrunk toward the province for small communes, and the trend over years.
Aggregates only: never a response, a free text or a group under k.

Read across communes on purpose (survey.core.tenancy.across_communes): the views call these
only for the province's own roles. The whole page is one kept figure, "province overview",
computed once per change of the data for every worker and host (survey.ratings.kept_figures):
at a province's size (3 million responses) its queries take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from analytics import AnalyticsError, CommuneTarget, commune_targets, fay_herriot, wilson_interval
from survey.core.extensions import db
from survey.core.tenancy import across_communes, commune_scope
from survey.models import (
    Commune,
    Evaluation,
    Organization,
    ResponseCriterion,
    Survey,
    YearAssessment,
)
from survey.ratings.kept_figures import figure, fresh_value, released_of_years
from survey.ratings.reading import year_document
from survey.responses.release import counted_in_joined_survey

SATISFACTION = "satisfaction"
YEARS_OF_TREND = 3


@dataclass(frozen=True)
class TierCell:
    """One organization's tier in one commune: finalized, decided, or computed at decision."""

    tier: str
    state: str  # "finalized", "decided", "computed" (at the decision), "so_far" (from the data)


@dataclass(frozen=True)
class CommuneTiers:
    code: str
    name: str
    tiers: dict  # organization code -> TierCell


@dataclass(frozen=True)
class CommuneTargets:
    """The resolution's targets in one commune for a year; empty when it rated no one."""

    code: str
    name: str
    targets: tuple[CommuneTarget, ...]


@dataclass(frozen=True)
class CommuneSatisfaction:
    """A commune's satisfied share: direct (its own answers) and shrunk toward the province
    (Fay–Herriot); None where fewer than k answered."""

    code: str
    name: str
    n: int
    direct: float | None
    direct_interval: tuple[float, float] | None
    estimate: float | None
    interval: tuple[float, float] | None
    own_weight: float | None  # how much of the estimate is the commune's own answers
    rank: int | None = None


@dataclass(frozen=True)
class ProvinceSatisfaction:
    communes: tuple[CommuneSatisfaction, ...]
    shrunk: bool  # False: too few communes with answers to estimate the province's spread
    province_share: float | None
    hidden: int  # communes left out: fewer than k answered
    alike: bool = False  # the communes differ no more than chance would make them


def commune_names() -> dict[int, tuple[str, str]]:
    """Every commune: id -> (code, name)."""
    with across_communes():
        rows = db.session.execute(sa.select(Commune.id, Commune.code, Commune.name)).all()
    return {i: (code, name) for i, code, name in rows}


def year_documents(year: int) -> dict[int, dict]:
    """Each commune's Evaluation JSON of `year` (its finalized organizations as their snapshot,
    the others computed from the data so far), each read inside its own commune, from the
    commune's evaluation as its own dashboards keep it: only the communes whose data changed
    since are evaluated again (survey.ratings.kept_figures.fresh_value)."""
    documents = {}
    for commune_id in commune_names():
        with commune_scope(commune_id):
            documents[commune_id] = year_document(year, evaluation=fresh_value("evaluation", year))
    return documents


def targets_by_commune(year: int, documents: dict[int, dict]) -> list[CommuneTargets]:
    """The resolution's targets per commune, in the communes' order (`documents`: year_documents);
    a commune that rated no organization for `year` has none."""
    names = commune_names()
    rows = []
    for i, (code, name) in sorted(names.items(), key=lambda kv: kv[1][1]):
        document = documents.get(i)
        rated = document and any(o.get("rated", True) for o in document["organizations"])
        rows.append(CommuneTargets(code, name, commune_targets(document) if rated else ()))
    return rows


def targets_met(targets: list[CommuneTargets]) -> dict:
    """The targets' columns (those of the first commune that rated its organizations), how
    many communes met each, and how many rated theirs."""
    rated = [row for row in targets if row.targets]
    columns = rated[0].targets if rated else ()
    met = [sum(1 for row in rated if row.targets[i].met) for i in range(len(columns))]
    return {"target_columns": columns, "targets_met": met, "communes_rated": len(rated)}


def tiers_by_commune(
    year: int, documents: dict[int, dict] | None = None
) -> tuple[list[tuple[str, str]], list[CommuneTiers]]:
    """The organizations found in the communes (code, short name), in the communes' order,
    and each commune's tiers for `year`: finalized, decided, computed at the decision, or,
    from `documents` (year_documents), computed from the data so far."""
    names = commune_names()
    cells: dict[int, dict[str, TierCell]] = {i: {} for i in names}
    for commune_id, document in (documents or {}).items():
        for organization in document["organizations"]:
            if organization.get("rated", True):
                tier = organization.get("computed_tier") or organization["tier"]
                cells[commune_id][organization["org"]] = TierCell(tier, "so_far")
    with across_communes():
        finalized = db.session.execute(
            sa.select(Evaluation.commune_id, Organization.code, Evaluation.tier)
            .join(Organization, Organization.id == Evaluation.organization_id)
            .where(Evaluation.year == year)
        ).all()
        steps = db.session.execute(
            sa.select(
                YearAssessment.commune_id,
                Organization.code,
                YearAssessment.decided_tier,
                YearAssessment.computed_tier,
            )
            .join(Organization, Organization.id == YearAssessment.organization_id)
            .where(YearAssessment.year == year)
        ).all()
        organizations = db.session.execute(
            sa.select(Organization.code, sa.func.min(Organization.short_name))
            .group_by(Organization.code)
            .order_by(sa.func.min(Organization.position), Organization.code)
        ).all()
    for commune_id, org, decided, computed in steps:
        if decided or computed:
            state = "decided" if decided else "computed"
            cells[commune_id][org] = TierCell(decided or computed, state)
    for commune_id, org, tier in finalized:
        cells[commune_id][org] = TierCell(tier, "finalized")
    rows = [
        CommuneTiers(code, name, cells[i])
        for i, (code, name) in sorted(names.items(), key=lambda kv: kv[1][1])
    ]
    return [(code, name) for code, name in organizations], rows


def satisfied_counts(years: tuple[int, ...]) -> dict[tuple[int, int], tuple[int, float]]:
    """(commune id, year) -> (respondents, their summed top-2 share) on the satisfaction
    questions of the surveys of `years`, counting only responses released so far."""
    c = ResponseCriterion
    values = [c.n1, c.n2, c.n3, c.n4, c.n5]
    share = sa.cast(sa.func.sum(c.n4 + c.n5), sa.Float) / sa.func.sum(sum(values[1:], values[0]))
    per = (
        sa.select(Survey.commune_id, Survey.year, share.label("share"))
        .join(Survey, Survey.id == c.survey_id)
        .where(
            Survey.year.in_(years),
            Survey.status != "draft",
            counted_in_joined_survey(c.released),
            c.criterion == SATISFACTION,
        )
        .group_by(Survey.commune_id, Survey.year, c.response_id)
        .subquery()
    )
    with across_communes():
        rows = db.session.execute(
            sa.select(
                per.c.commune_id, per.c.year, sa.func.count(), sa.func.sum(per.c.share)
            ).group_by(per.c.commune_id, per.c.year)
        ).all()
    return {(i, y): (int(n), float(top2 or 0)) for i, y, n, top2 in rows}


def sampling_variance(top2: float, n: int) -> float:
    """The sampling variance of a share top2/n, with half an answer added each side so that
    a commune where everyone (or no one) was satisfied still has some.

    >>> round(sampling_variance(50, 100), 5), sampling_variance(10, 10) > 0
    (0.0025, True)
    """
    p = (top2 + 0.5) / (n + 1)
    return p * (1 - p) / n


@dataclass(frozen=True)
class ProvinceOverview:
    """The province's page for a year."""

    organizations: list  # (code, short name)
    tiers: list  # CommuneTiers
    targets: list  # CommuneTargets
    satisfaction: ProvinceSatisfaction
    trend_years: tuple
    trend: list  # (commune name, [share or None per year])


def trend_years(year: int) -> tuple[int, ...]:
    return tuple(range(year - YEARS_OF_TREND + 1, year + 1))


@figure("province overview", scope=lambda year, _k: released_of_years(*trend_years(year)))
def province_overview(year: int, k: int) -> ProvinceOverview:
    """Everything the province's page shows for `year` (k: the smallest group shown)."""
    with across_communes():
        counts = satisfied_counts(trend_years(year))
        documents = year_documents(year)
        organizations, tiers = tiers_by_commune(year, documents)
        targets = targets_by_commune(year, documents)
        years, trend = satisfaction_trend(year, k, counts)
        satisfaction = satisfaction_by_commune(year, k, counts)
    return ProvinceOverview(organizations, tiers, targets, satisfaction, years, trend)


def satisfaction_by_commune(year: int, k: int, counts=None) -> ProvinceSatisfaction:
    """Each commune's satisfied share in `year`, direct and shrunk, ranked by the shrunk one
    (`counts`: satisfied_counts of the years, when read already)."""
    names = commune_names()
    counts = satisfied_counts((year,)) if counts is None else counts
    shown = {i: counts[(i, year)] for i in names if counts.get((i, year), (0, 0))[0] >= max(k, 1)}
    hidden = sum(1 for i in names if 0 < counts.get((i, year), (0, 0))[0] < max(k, 1))
    ids = sorted(shown)
    fit = None
    if ids:
        try:
            fit = fay_herriot(
                [shown[i][1] / shown[i][0] for i in ids],
                [sampling_variance(shown[i][1], shown[i][0]) for i in ids],
                shares=True,
            )
        except AnalyticsError:  # fewer than three communes: no province spread to shrink by
            fit = None
    rows = []
    for index, i in enumerate(ids):
        n, top2 = shown[i]
        area = fit.areas[index] if fit else None
        rows.append(
            CommuneSatisfaction(
                code=names[i][0],
                name=names[i][1],
                n=n,
                direct=top2 / n,
                direct_interval=wilson_interval(top2, n),
                estimate=area.estimate if area else top2 / n,
                interval=area.interval if area else wilson_interval(top2, n),
                own_weight=area.gamma if area else None,
            )
        )
    rows.sort(key=lambda r: -r.estimate)
    ranked = tuple(
        CommuneSatisfaction(**{**r.__dict__, "rank": place}) for place, r in enumerate(rows, 1)
    )
    total_n = sum(n for n, _t in shown.values())
    province = sum(t for _n, t in shown.values()) / total_n if total_n else None
    alike = fit is not None and fit.truncated
    return ProvinceSatisfaction(ranked, fit is not None, province, hidden, alike)


def satisfaction_trend(year: int, k: int, counts=None) -> tuple[tuple[int, ...], list]:
    """The years up to `year`, and each commune's direct satisfied share in each (None under
    k answers), by commune name; a merged commune carries its communes' history with it."""
    years = trend_years(year)
    counts = satisfied_counts(years) if counts is None else counts
    names = commune_names()
    rows = []
    for i, (_code, name) in sorted(names.items(), key=lambda kv: kv[1][1]):
        values = []
        for y in years:
            n, top2 = counts.get((i, y), (0, 0.0))
            values.append(top2 / n if n >= max(k, 1) else None)
        rows.append((name, values))
    return years, rows
