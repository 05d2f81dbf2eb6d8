"""JSON for signed-in roles: the year's evaluation and a survey's results (DESIGN.md)."""

from flask import Blueprint, jsonify
from flask_login import current_user

from analytics.report import evaluation_document
from survey.access import ORG_READ_ROLES, READ_ALL_ROLES, roles_required
from survey.evaluation import evaluate_year
from survey.i18n import select_locale

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/evaluations/<int:year>")
@roles_required(*ORG_READ_ROLES)
def evaluations(year):
    """The Evaluation JSON for `year`; an organization officer gets its own organization only."""
    evaluation = evaluate_year(year)
    results = evaluation.results
    if current_user.role not in READ_ALL_ROLES:
        own = current_user.organization.code
        results = tuple(r for r in results if r.code == own)
    lang = "en" if select_locale() == "en" else "vi"
    return jsonify(evaluation_document(year, evaluation.rules, results, lang))
