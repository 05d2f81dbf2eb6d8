"""JSON for signed-in roles: the year's evaluation and a survey's results (DESIGN.md)."""

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from survey import catalog
from survey.access import (
    ORG_READ_ROLES,
    allow,
    may_see_results,
    organization_scope,
    roles_required,
)
from survey.finalization import year_document
from survey.i18n import select_locale
from survey.indicators import valid_year
from survey.results import survey_results

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/evaluations/<int:year>")
@roles_required(*ORG_READ_ROLES)
def evaluations(year):
    """The Evaluation JSON for `year`; an organization officer gets its own organization only."""
    if not valid_year(year):
        abort(404)
    own = organization_scope(current_user)
    return jsonify(year_document(year, own, select_locale(), with_integrity=own is None))


@bp.get("/surveys/<code>/results")
@roles_required(*ORG_READ_ROLES)
def results(code):
    """The Results JSON of one survey, for those who may read its results."""
    survey = catalog.survey_by_code(code)
    if survey is None:
        abort(404)
    allow(may_see_results(current_user, survey))
    return jsonify(survey_results(survey))
