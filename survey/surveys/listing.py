"""What the survey builder reads: the surveys an officer may see, one survey to edit, its
response count, the surveys it may copy and the commune's organizations."""

import sqlalchemy as sa

from survey.accounts.access import may_change_survey, may_read_survey
from survey.core.extensions import db
from survey.models import Organization, Response, Survey
from survey.responses import catalog


def listed_surveys(user, *, year=None, status=None, topic=None):
    """(survey, response count) rows the user may read, filtered, newest year first."""
    return [
        (survey, count)
        for survey, count in catalog.survey_listing()
        if may_read_survey(user, survey)
        and (year is None or survey.year == year)
        and (not status or survey.status == status)
        and (not topic or survey.topic == topic)
    ]


def survey_for_builder(code):
    """The survey with its questions and options, attached to the session, or None."""
    return catalog.survey_by_code(code)


def response_count(survey):
    """How many responses the survey has."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id)
    )


def copy_sources(user):
    """Surveys the user may copy into a new year: those it may change, newest first."""
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.year.desc(), Survey.code)).all()
    return [s for s in surveys if may_change_survey(user, s)]


def organizations():
    """Every organization, in the commune's order."""
    return db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.name)
    ).all()
