"""JSON for signed-in roles: the year's evaluation, a survey's results and the year's tasks
(docs/contract.md#json-api).

The evaluation and the results come from the figures the dashboards keep
(survey.ratings.kept_figures), not computed again on every call; while a worker first computes
them, the answer is 202 {"status": "computing", "retry_after": seconds} with a Retry-After
header: ask again then. The tasks are read as they are: a list of rows, small beside a
survey's answers.
"""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from analytics import AnalyticsError
from survey.accounts.access import (
    ORG_READ_ROLES,
    READ_ALL_ROLES,
    allow,
    may_see_results,
    organization_scope,
    roles_required,
)
from survey.core.computing import computing_json
from survey.core.i18n import select_locale
from survey.core.local_time import current_year
from survey.indicators.figures import valid_year
from survey.programmes.year_tasks import tasks_document, year_programmes
from survey.ratings.kept_figures import NotReady
from survey.ratings.reading import year_rating
from survey.reports.dashboards import kept_results
from survey.responses import catalog

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/evaluations/<int:year>")
@roles_required(*ORG_READ_ROLES)
def evaluations(year):
    """The Evaluation JSON for `year`; an organization officer gets its own organization only."""
    if not valid_year(year):
        abort(404)
    own = organization_scope(current_user)
    try:
        document = year_rating(year, own, select_locale(), with_integrity=own is None).document
    except NotReady:
        return computing_json()
    except AnalyticsError as error:  # instance/rules.toml cannot be read: as the pages say
        return jsonify(error=str(error)), 500
    return jsonify(document)


@bp.get("/surveys/<code>/results")
@roles_required(*ORG_READ_ROLES)
def results(code):
    """The Results JSON of one survey, for those who may read its results."""
    survey = catalog.survey_by_code(code)
    if survey is None:
        abort(404)
    allow(may_see_results(current_user, survey))
    try:
        return jsonify(kept_results(survey.id).value)
    except NotReady:
        return computing_json()


@bp.get("/tasks")
@roles_required(*ORG_READ_ROLES)
def tasks():
    """The programmes of `?year=` (this year when absent) with their tasks; an organization
    officer gets its own organization's tasks only (docs/contract.md#tasks-json)."""
    text = request.args.get("year", "").strip()
    try:
        year = int(text) if text else current_year()
    except ValueError:
        year = None
    if year is None or not valid_year(year):
        return jsonify(error=f"year must be a year from 2000 to next year, got {text!r}"), 400
    own = None if current_user.role in READ_ALL_ROLES else current_user.organization_id
    return jsonify(tasks_document(year, year_programmes(year, organization_id=own)))
