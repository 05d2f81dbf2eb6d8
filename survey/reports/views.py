"""Dashboards: the Standing Committee's overview of a year, each organization's page, and each
survey's results."""

import hashlib

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_login import current_user

from analytics import AnalyticsError, criterion_label
from survey.accounts.access import (
    ORG_READ_ROLES,
    READ_ALL_ROLES,
    allow,
    may_read_organization,
    may_read_survey,
    may_see_results,
    roles_required,
    withheld_text_questions,
)
from survey.commune.directory import organization_by_code
from survey.core.bounded_cache import LRUCache
from survey.core.computing import computing_page
from survey.core.extensions import db
from survey.core.i18n import select_locale
from survey.core.local_time import current_year
from survey.models import Survey
from survey.ratings.integrity_text import flag_detail, kind_label
from survey.ratings.kept_figures import NotReady
from survey.reports.dashboards import (
    evaluation_years,
    evidence_years,
    organization_page,
    overview,
    question_labels,
    survey_page,
)
from survey.responses import catalog

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


# A survey's questions and villages as HTML (dashboard/_survey.html), by what they show: most
# of an organization's page, the same request after request while its kept results stand.
_QUESTIONS_HTML = LRUCache(128)


@bp.context_processor
def formatting():
    """`criterion_label(code)`, `pvalue(p)` and `survey_questions(block, chart_id)` in the
    dashboards' templates."""

    def label(code):
        return criterion_label(code, select_locale())

    def pvalue(p):
        if p is None:
            return "–"
        return "< " + format_decimal(0.001, "0.000") if p < 0.001 else format_decimal(p, "0.000")

    return {"criterion_label": label, "pvalue": pvalue, "survey_questions": survey_questions}


def survey_questions(block, chart_id: str):
    """The `questions` macro of dashboard/_survey.html for `block` (a SurveyBlock), rendered
    once per content, chart and language: keyed by the digest of everything the block holds,
    so a new figure or a renamed village is a new entry, never an old page."""
    digest = hashlib.sha256(repr(block).encode("utf-8")).digest()
    key = (digest, chart_id, select_locale())
    html = _QUESTIONS_HTML.get(key)
    if html is None:
        html = get_template_attribute("dashboard/_survey.html", "questions")(block, chart_id)
        _QUESTIONS_HTML[key] = html
    return html


@bp.app_template_filter("flag_label")
def flag_label_filter(kind):
    """The name of an integrity check (the dashboards' and the ratings' integrity tables)."""
    return kind_label(kind)


@bp.app_template_filter("flag_detail")
def flag_detail_filter(flag):
    """What a paper check found, as a sentence; empty for the other checks."""
    return flag_detail(flag)


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """Every organization's rating of a year; an organization's officer goes to its own page."""
    if current_user.role not in READ_ALL_ROLES:
        return redirect(url_for(".organization", code=current_user.organization.code))
    years = evaluation_years()
    year = _year(years)
    try:
        data = overview(year, select_locale(), years)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    return render_template("dashboard/overview.html", overview=data, year=year, years=years)


@bp.get("/org/<code>")
@roles_required(*ORG_READ_ROLES)
def organization(code):
    """One organization's year: criteria, questions, villages, change, feedback."""
    found = organization_by_code(code)
    if found is None:
        abort(404)
    allow(may_read_organization(current_user, found.id))
    years = evaluation_years()
    year = _year(years)
    try:
        page = organization_page(found, year, select_locale())
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    return render_template("dashboard/organization.html", page=page, year=year, years=years)


@bp.get("/survey/<code>")
@roles_required(*ORG_READ_ROLES)
def survey(code):
    """A survey's results: questions, answers over time, channels, where it came from,
    integrity checks; read-only for the officer of an organization it counts toward."""
    found = db.session.scalar(sa.select(Survey).where(Survey.code == code))
    if found is None:
        abort(404)
    allow(may_see_results(current_user, found))
    lang = select_locale()
    try:
        page = survey_page(found, lang, current_user.role in READ_ALL_ROLES)
    except NotReady:
        return computing_page()
    withheld = question_labels(withheld_text_questions(current_user, found), lang)
    return render_template(
        "dashboard/survey.html",
        page=page,
        may_export=may_read_survey(current_user, found),
        withheld=withheld,
        village_names=catalog.village_names(),
    )


def _year(years):
    """?year=, else the latest year with evidence (figures or responses) up to this one; 404 for
    a year never held (`years`: evaluation_years())."""
    asked = request.args.get("year", type=int)
    if asked is None:
        latest = max((y for y in years if y <= current_year()), default=current_year())
        return max((y for y in evidence_years() if y <= current_year()), default=latest)
    if asked not in years:
        abort(404)
    return asked
