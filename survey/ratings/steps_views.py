"""The year's steps in the workspace: an organization's self-assessment, the review, and the
Standing Committee's decision on its tier (survey.ratings.steps)."""

from datetime import datetime
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from analytics import AnalyticsError
from survey.accounts.access import may_assess_itself, may_decide, may_review, roles_required
from survey.commune.directory import organization_by_code
from survey.core.computing import computing_page
from survey.core.extensions import db
from survey.core.forms import OfficerForm
from survey.core.i18n import select_locale
from survey.indicators.figures import valid_year
from survey.ratings.forms import (
    DecisionForm,
    HeadDecisionForm,
    HeadForm,
    ReviewForm,
    SelfAssessmentForm,
)
from survey.ratings.heads import add_head, decide_head, head_of, remove_head
from survey.ratings.kept_figures import NotReady
from survey.ratings.reading import year_rating
from survey.ratings.steps import (
    SELF_FIELDS,
    StepRefused,
    decide,
    save_review,
    save_self_assessment,
)

bp = Blueprint("steps", __name__, url_prefix="/manage/ratings")


@bp.app_template_filter("isotime")
def isotime_filter(text):
    """A time the Evaluation JSON gives in ISO 8601 (UTC), as the commune reads it."""
    if not text:
        return ""
    return format_datetime(datetime.fromisoformat(text), "dd/MM/yyyy HH:mm")


STEP_ROLES = ("admin", "committee", "org_officer")
REFUSED = {
    "finalized": _l("This year is finalized for this organization: its steps are closed."),
    "head reason needed": _l(
        "Write the reason: the tier is above the organization's, or the year is already finalized."
    ),
    "reason needed": _l(
        "Write the reason: the tier differs from the computed one, or the year is already "
        "finalized."
    ),
}


def _entry(year, code):
    """The organization and its Evaluation JSON entry (with its steps) for `year`."""
    if not valid_year(year):
        abort(404)
    org = organization_by_code(code)
    if org is None:
        abort(404)
    rating = year_rating(year, code, select_locale())
    return org, rating.document["organizations"][0]


def _page(template, year, code, form, allowed, status=200, **extra):
    try:
        org, entry = _entry(year, code)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    if not allowed(org):
        abort(403)
    return render_template(template, year=year, org=org, entry=entry, form=form, **extra), status


@bp.route("/<int:year>/<code>/self", methods=["GET", "POST"])
@roles_required(*STEP_ROLES)
def self_assessment(year, code):
    """The organization's own review of its year (its officer, or the office)."""
    form = SelfAssessmentForm()
    org = organization_by_code(code)
    if org is None:
        abort(404)
    if not may_assess_itself(current_user, org):
        abort(403)
    fields = {f: form[f].data for f in SELF_FIELDS}
    save = partial(save_self_assessment, org, year, fields, current_user)
    done = _take_step(form, save, form.strengths, _("Self-assessment saved."), year)
    if done:
        return done
    if not form.is_submitted():
        _fill_self(form, year, code)
    status = 422 if form.is_submitted() else 200
    return _page("ratings/self.html", year, code, form, lambda o: True, status)


def _take_step(form, save, error_field, saved, year):
    """Save a step's valid form and commit: the redirect to the year's ratings, or None with a
    refusal on `error_field` (or the form's own errors) to show the page again."""
    if not form.validate_on_submit():
        return None
    return _committed(save, error_field, saved, url_for("ratings.year", year=year))


def _committed(save, error_field, saved, back):
    """`save()` and commit: a redirect to `back` with the `saved` message, or None with the
    refusal on `error_field` (rolled back) to show the page again."""
    try:
        save()
        db.session.commit()
    except StepRefused as refused:
        db.session.rollback()
        error_field.errors = [REFUSED[str(refused)]]
        return None
    flash(saved)
    return redirect(back)


def _fill_self(form, year, code):
    try:
        _org, entry = _entry(year, code)
    except (NotReady, AnalyticsError):
        return
    mine = entry.get("self_assessment") or {}
    for name in SELF_FIELDS:
        form[name].data = mine.get(name) or ""
    if not mine.get("proposed_tier"):
        form.proposed_tier.data = entry["computed_tier"] if entry.get("rated", True) else ""


@bp.route("/<int:year>/<code>/review", methods=["GET", "POST"])
@roles_required(*STEP_ROLES)
def review(year, code):
    """The review's comments (the Front's standing board for an affiliated organization, or
    the office)."""
    form = ReviewForm()
    org = organization_by_code(code)
    if org is None:
        abort(404)
    if not may_review(current_user, org):
        abort(403)
    save = partial(save_review, org, year, (form.review.data or "").strip(), current_user)
    done = _take_step(form, save, form.review, _("Review saved."), year)
    if done:
        return done
    if not form.is_submitted():
        try:
            _org, entry = _entry(year, code)
            form.review.data = (entry.get("review") or {}).get("text", "")
        except (NotReady, AnalyticsError):
            pass
    status = 422 if form.is_submitted() else 200
    return _page("ratings/review.html", year, code, form, lambda o: True, status)


@bp.route("/<int:year>/<code>/decide", methods=["GET", "POST"])
@roles_required("admin", "committee")
def decision(year, code):
    """The Standing Committee decides the organization's tier; the computed one is proposed."""
    if not may_decide(current_user):
        abort(403)
    form = DecisionForm()
    try:
        org, entry = _entry(year, code)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    if not entry.get("rated", True):
        return _page("ratings/decide.html", year, code, form, lambda o: True, 409)
    save = partial(
        decide, org, year, form.tier.data, form.reason.data, entry["computed_tier"], current_user
    )
    done = _take_step(form, save, form.reason, _("Decision saved."), year)
    if done:
        return done
    if not form.is_submitted():
        form.tier.data = entry["tier"]
        form.reason.data = (entry.get("adjustment") or {}).get("reason", "")
    status = 422 if form.is_submitted() else 200
    return _page("ratings/decide.html", year, code, form, lambda o: True, status)


@bp.route("/<int:year>/<code>/heads", methods=["GET", "POST"])
@roles_required(*STEP_ROLES)
def heads(year, code):
    """An organization's head and deputies for the year: recorded by its officer or the
    office, rated by the committee (their tier proposed from the organization's)."""
    org = organization_by_code(code) or abort(404)
    may_record, may_rate = may_assess_itself(current_user, org), may_decide(current_user)
    if not (may_record or may_rate):
        abort(403)
    form, status = HeadForm(), 200
    if form.is_submitted():
        if not may_record:
            abort(403)
        status = 422
        if form.validate():
            save = partial(add_head, org, year, form.name.data, form.position.data)
            back = url_for("steps.heads", year=year, code=code)
            done = _committed(save, form.name, _("Saved."), back)
            if done:
                return done
    return _heads_page(year, code, form, status, may_record, may_rate)


def _heads_page(year, code, form, status, may_record, may_rate, refused=None):
    """The heads page; `refused` is a decision form sent back with its errors."""
    try:
        org, entry = _entry(year, code)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    decisions = {
        head["id"]: HeadDecisionForm(
            formdata=None, prefix=f"h{head['id']}", tier=head["tier"], reason=head["reason"]
        )
        for head in entry["heads"]
    }
    if refused is not None:
        decisions[refused[0]] = refused[1]
    return render_template(
        "ratings/heads.html",
        year=year,
        org=org,
        entry=entry,
        form=form,
        may_record=may_record,
        may_rate=may_rate,
        decisions=decisions,
    ), status


@bp.post("/<int:year>/<code>/heads/<int:head_id>/remove")
@roles_required(*STEP_ROLES)
def remove(year, code, head_id):
    org = organization_by_code(code) or abort(404)
    if not may_assess_itself(current_user, org):
        abort(403)
    head = head_of(org, year, head_id) or abort(404)
    if not OfficerForm().validate_on_submit():  # the CSRF token
        abort(400)
    try:
        remove_head(org, head)
        db.session.commit()
    except StepRefused as refused:
        db.session.rollback()
        flash(str(REFUSED[str(refused)]))
    return redirect(url_for("steps.heads", year=year, code=code))


@bp.post("/<int:year>/<code>/heads/<int:head_id>/decide")
@roles_required("admin", "committee")
def decide_for_head(year, code, head_id):
    """The committee decides one head's tier (above the organization's only with a reason)."""
    org = organization_by_code(code) or abort(404)
    head = head_of(org, year, head_id) or abort(404)
    form = HeadDecisionForm(prefix=f"h{head.id}")
    if form.validate_on_submit():
        try:
            _org, entry = _entry(year, code)
        except NotReady:
            return computing_page()
        except AnalyticsError as error:
            return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
        save = partial(
            decide_head, org, head, form.tier.data, form.reason.data, entry["tier"], current_user
        )
        back = url_for("steps.heads", year=year, code=code)
        done = _committed(save, form.reason, _("Decision saved."), back)
        if done:
            return done
    may_record = may_assess_itself(current_user, org)
    return _heads_page(year, code, HeadForm(formdata=None), 422, may_record, True, (head.id, form))
