"""The year's ratings in the workspace: read them, and (the Standing Committee) finalize them."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import TextAreaField
from wtforms.validators import Length

from analytics.errors import AnalyticsError
from survey.access import ORG_READ_ROLES, organization_scope, roles_required
from survey.aggregate_cache import NotReady
from survey.dashboards import Freshness, kept_evaluation
from survey.extensions import db
from survey.finalization import FinalizationRefused, finalize_year, year_document
from survey.forms import OfficerForm
from survey.i18n import select_locale
from survey.indicators import overview_years, valid_year
from survey.local_time import current_year
from survey.views.dashboard import computing

bp = Blueprint("ratings", __name__, url_prefix="/manage/ratings")

FINALIZE_ROLES = ("admin", "committee")


class FinalizeForm(OfficerForm):
    """Finalize a year; the reason is needed when it was finalized before."""

    reason = TextAreaField(
        _l("Reason (needed when the year was finalized before)"), validators=[Length(max=2000)]
    )


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The years that can be rated, newest first."""
    return render_template("ratings/index.html", years=overview_years())


@bp.get("/<int:year>")
@roles_required(*ORG_READ_ROLES)
def year(year):
    """Every organization's rating for `year` (an officer: its own), with its explanation."""
    return _page(year, FinalizeForm())


@bp.post("/<int:year>/finalize")
@roles_required(*FINALIZE_ROLES)
def finalize(year):
    """Fix the year's ratings as snapshots; again only with a reason."""
    form = FinalizeForm()
    if form.validate_on_submit():
        try:
            done = finalize_year(year, current_user, form.reason.data)
        except FinalizationRefused:
            db.session.rollback()
            form.reason.errors = [
                *form.reason.errors,
                _("The year is already finalized. To finalize it again, write the reason."),
            ]
        else:
            db.session.commit()
            flash(_("Finalized: %(count)s organizations.", count=len(done)))
            return redirect(url_for("ratings.year", year=year))
    return _page(year, form, status=422)


def _page(year, form, status=200):
    if not valid_year(year):
        abort(404)
    own = organization_scope(current_user)
    try:
        kept = kept_evaluation(year)
        document = year_document(
            year, own, select_locale(), with_integrity=own is None, evaluation=kept.value
        )
    except NotReady:
        return computing()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    return render_template(
        "ratings/year.html",
        document=document,
        freshness=Freshness.of(kept),
        year=year,
        form=form,
        may_finalize=current_user.role in FINALIZE_ROLES,
        this_year=current_year(),
    ), status
