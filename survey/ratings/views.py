"""The year's ratings in the workspace: read them, and (the Standing Committee) finalize them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length

from analytics import AnalyticsError
from survey.accounts.access import (
    ORG_READ_ROLES,
    may_assess_itself,
    may_decide,
    may_review,
    organization_scope,
    roles_required,
)
from survey.commune.directory import organizations
from survey.core.computing import computing_page
from survey.core.extensions import db
from survey.core.forms import OfficerForm
from survey.core.i18n import select_locale
from survey.core.local_time import current_year
from survey.indicators.figures import overview_years, valid_year
from survey.ratings.finalization import FinalizationRefused, finalize_year, warnings_before
from survey.ratings.kept_figures import Freshness, NotReady
from survey.ratings.reading import year_rating
from survey.responses import catalog

bp = Blueprint("ratings", __name__, url_prefix="/manage/ratings")

FINALIZE_ROLES = ("admin", "committee")


class FinalizeForm(OfficerForm):
    """Finalize a year, once its warnings are read; the reason is needed when it was finalized
    before."""

    reason = TextAreaField(
        _l("Reason (needed when the year was finalized before)"), validators=[Length(max=2000)]
    )
    confirm = BooleanField(_l("I have read the above and finalize these ratings"))


REFUSED = {
    "reason needed": _l("The year is already finalized. To finalize it again, write the reason."),
    "nothing changed": _l(
        "Nothing has changed since the ratings were finalized: no rating was replaced. Re-rate "
        "an organization (its decision page) first, then finalize again."
    ),
    "nothing to rate": _l(
        "No organization has evidence enough to be rated this year: there is nothing to finalize."
    ),
}


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The years that can be rated, newest first."""
    return render_template("ratings/index.html", years=overview_years())


@bp.get("/<int:year>")
@roles_required(*ORG_READ_ROLES)
def year(year):
    """Every organization's rating for `year` (an officer: its own), with its explanation."""
    return _page(year)


@bp.route("/<int:year>/finalize", methods=["GET", "POST"])
@roles_required(*FINALIZE_ROLES)
def finalize(year):
    """What finalizing will freeze and every open warning; finalizes only when confirmed (and
    again only with a reason). Without the confirmation nothing changes."""
    if not valid_year(year):
        abort(404)
    form = FinalizeForm()
    refused = None
    if request.method == "POST" and form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm: nothing was finalized.")]
        else:
            try:
                done = finalize_year(year, current_user, form.reason.data)
            except FinalizationRefused as refusal:
                db.session.rollback()
                refused = str(refusal)
                if refused == "reason needed":
                    form.reason.errors = [*form.reason.errors, REFUSED[refused]]
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "Finalized: %(num)d organization.",
                        "Finalized: %(num)d organizations.",
                        len(done),
                    )
                )
                return redirect(url_for("ratings.year", year=year))
    try:
        rating = year_rating(year, None, select_locale(), with_integrity=False)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    freshness = Freshness.of(rating.kept)
    return render_template(
        "ratings/finalize.html",
        year=year,
        document=rating.document,
        warnings=warnings_before(rating.document, freshness.updating),
        freshness=freshness,
        form=form,
        refused=REFUSED.get(refused) if refused != "reason needed" else None,
    ), (422 if request.method == "POST" else 200)


def _page(year):
    if not valid_year(year):
        abort(404)
    own = organization_scope(current_user)
    try:
        rating = year_rating(year, own, select_locale(), with_integrity=own is None)
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    return render_template(
        "ratings/year.html",
        document=rating.document,
        survey_titles=catalog.survey_titles(select_locale()),
        village_names=catalog.village_names(),
        freshness=Freshness.of(rating.kept),
        year=year,
        may_finalize=current_user.role in FINALIZE_ROLES,
        this_year=current_year(),
        steps_allowed=_steps_allowed(),
    )


def _steps_allowed():
    """Per organization code, which steps this user may take: self, review, decide."""
    return {
        org.code: {
            "self": may_assess_itself(current_user, org),
            "review": may_review(current_user, org),
            "decide": may_decide(current_user),
        }
        for org in organizations()
    }
