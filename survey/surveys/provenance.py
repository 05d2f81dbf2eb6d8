"""Where a survey that counts toward an organization's rating came from: who built it, which
organizations it evaluates and tags, how its answers came in and who typed its paper sheets.

The organization's page, its survey list and the survey's own page show it, so that a survey
of another organization with questions tagged to this one (survey.commune.about.about_pairs, the
rating's own rule) is seen by the organization it rates and by the committee. Typists are
named with their counts only (PaperTyping): nothing ties a sheet or a response to a person.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from survey.accounts.access import may_read_survey
from survey.commune.about import surveys_about
from survey.core.extensions import db
from survey.models import Organization, PaperTyping, Question, Response, Survey, User


@dataclass(frozen=True)
class Provenance:
    """One survey's origin and intake, as plain values for the templates."""

    code: str
    built_by: str  # the full name of whoever created it; "" when not known
    builder_role: str  # that person's role code ("" when not known)
    builder_organization: str  # the organization of an organization's officer, else ""
    evaluates: tuple[str, ...]  # the names of the organizations it evaluates
    tagged: tuple[str, ...]  # organizations its questions are tagged with, not evaluated
    responses: int
    paper: int
    imported: int
    typists: tuple[tuple[str, int], ...]  # (full name, sheets typed), most first


def survey_provenance(survey_id: int) -> Provenance:
    """Who built survey `survey_id`, what it counts toward, and how its answers came in."""
    survey = db.session.get(Survey, survey_id)
    builder = db.session.get(User, survey.created_by_id) if survey.created_by_id else None
    evaluated = [o.name for o in survey.organizations]
    tagged = db.session.scalars(
        sa.select(Organization.name)
        .join(Question, Question.organization_id == Organization.id)
        .where(Question.survey_id == survey_id)
        .distinct()
        .order_by(Organization.name)
    ).all()
    channels = dict(
        db.session.execute(
            sa.select(Response.channel, sa.func.count())
            .where(Response.survey_id == survey_id)
            .group_by(Response.channel)
        ).all()
    )
    typists = db.session.execute(
        sa.select(PaperTyping.typist, PaperTyping.sheets)
        .where(PaperTyping.survey_id == survey_id, PaperTyping.sheets > 0)
        .order_by(PaperTyping.sheets.desc(), PaperTyping.typist)
    ).all()
    return Provenance(
        code=survey.code,
        built_by=(builder.full_name or builder.username) if builder else "",
        builder_role=builder.role if builder else "",
        builder_organization=(
            builder.organization.name if builder and builder.organization is not None else ""
        ),
        evaluates=tuple(evaluated),
        tagged=tuple(name for name in tagged if name not in evaluated),
        responses=sum(int(n) for n in channels.values()),
        paper=int(channels.get("paper", 0)),
        imported=int(channels.get("import", 0)),
        typists=tuple((name, int(n)) for name, n in typists),
    )


def counted_elsewhere(user) -> list[Survey]:
    """The surveys (not drafts) that count toward an organization officer's organization but
    that it does not own or evaluate: another organization's, with questions tagged to it.
    Empty for the roles that read every survey anyway."""
    if user.role != "org_officer":
        return []
    surveys = db.session.scalars(
        sa.select(Survey)
        .where(Survey.id.in_(surveys_about(user.organization_id)), Survey.status != "draft")
        .order_by(Survey.year.desc(), Survey.code)
    ).all()
    return [s for s in surveys if not may_read_survey(user, s)]
