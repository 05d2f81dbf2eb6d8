"""What counts toward an organization: the surveys that evaluate it and the surveys with a
question tagged to it. One rule for the rating (survey.ratings.year_scan), the pages and who may
read or type what (survey.accounts.access)."""

import sqlalchemy as sa

from survey.core.extensions import db
from survey.models import Question, survey_organization


def about_pairs():
    """(survey_id, organization_id) for every organization a survey counts toward: each one it
    evaluates, and each one a question of it is tagged with.

    This is what "counts toward an organization" means for the pages as for the rating:
    about_rows gives each counted answer either its question's tag or one of the survey's
    evaluated organizations, so every (survey, organization) it counts is one of these pairs.
    The pages show an organization every survey paired with it here.
    """
    evaluated = sa.select(survey_organization.c.survey_id, survey_organization.c.organization_id)
    tagged = sa.select(Question.survey_id, Question.organization_id).where(
        Question.organization_id.is_not(None)
    )
    return sa.union(evaluated, tagged).subquery()


def organizations_about(survey_id: int) -> set[int]:
    """The ids of the organizations survey `survey_id` counts toward (about_pairs)."""
    pairs = about_pairs()
    return set(
        db.session.scalars(sa.select(pairs.c.organization_id).where(pairs.c.survey_id == survey_id))
    )


def surveys_about(organization_id: int):
    """A SELECT of the ids of the surveys that count toward organization `organization_id`."""
    pairs = about_pairs()
    return sa.select(pairs.c.survey_id).where(pairs.c.organization_id == organization_id)
