"""The year's list of commendations in the workspace (survey.ratings.commendations): the
rule set's shortlist with its evidence, the list the proposers draw up, and its confirmation."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from analytics import AnalyticsError
from survey.accounts.access import may_propose_commendations, roles_required
from survey.commune.directory import organization_by_code, organizations
from survey.core.computing import computing_page
from survey.core.extensions import db
from survey.core.forms import OfficerForm
from survey.core.i18n import select_locale
from survey.indicators.figures import valid_year
from survey.models import Commendation
from survey.models.vocabulary import COMMENDATION_GROUND_NAMES
from survey.ratings import commendations
from survey.ratings.forms import CommendationForm
from survey.ratings.kept_figures import NotReady
from survey.ratings.reading import year_rating
from survey.ratings.rulesets import commune_rules

bp = Blueprint("commendations", __name__, url_prefix="/manage/ratings")

READ_ROLES = ("admin", "committee", "inspector", "org_officer")


def _allowed_to_read():
    if current_user.role == "org_officer" and not may_propose_commendations(current_user):
        abort(403)


@bp.route("/<int:year>/commendations", methods=["GET", "POST"])
@roles_required(*READ_ROLES)
def index(year):
    """The shortlist, the list and its confirmation; proposers add entries here."""
    if not valid_year(year):
        abort(404)
    _allowed_to_read()
    form = _form()
    status = 200
    if request.method == "POST":
        if not may_propose_commendations(current_user):
            abort(403)
        if form.validate_on_submit():
            org = organization_by_code(form.organization.data) or abort(400)
            commendations.add(
                year, org, form.ground.data, form.head_name.data, form.note.data, current_user
            )
            db.session.commit()
            flash(_("Added to the list."))
            return redirect(url_for("commendations.index", year=year))
        status = 422
    try:
        document = year_rating(year, None, select_locale()).document
        previous = (
            year_rating(year - 1, None, select_locale()).document if valid_year(year - 1) else None
        )
        shortlist = commendations.proposals(document, previous, commune_rules(year))
    except NotReady:
        return computing_page()
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    entries = commendations.year_list(year)
    listed = {(e.organization.code, e.head_name, e.ground) for e in entries}
    return render_template(
        "ratings/commendations.html",
        year=year,
        form=form,
        names={o["org"]: o["name"] for o in document["organizations"]},
        shortlist=[p for p in shortlist if (p.organization, p.head or "", p.ground) not in listed],
        entries=entries,
        confirmed=commendations.confirmed(entries),
        may_edit=may_propose_commendations(current_user),
        ground_names=COMMENDATION_GROUND_NAMES,
    ), status


def _form():
    form = CommendationForm()
    form.organization.choices = [(o.code, o.name) for o in organizations()]
    return form


@bp.post("/<int:year>/commendations/<int:entry_id>/remove")
@roles_required("admin", "org_officer")
def remove(year, entry_id):
    if not may_propose_commendations(current_user):
        abort(403)
    entry = db.session.get(Commendation, entry_id)
    if entry is None or entry.year != year or not OfficerForm().validate_on_submit():
        abort(404)
    commendations.remove(entry)
    db.session.commit()
    flash(_("Removed from the list."))
    return redirect(url_for("commendations.index", year=year))


@bp.post("/<int:year>/commendations/confirm")
@roles_required("admin", "org_officer")
def confirm(year):
    if not may_propose_commendations(current_user):
        abort(403)
    if not OfficerForm().validate_on_submit():
        abort(400)
    count = commendations.confirm(year, current_user)
    db.session.commit()
    flash(_("The list is confirmed: %(count)s entries.", count=count))
    return redirect(url_for("commendations.index", year=year))
