"""Annual figures: each organization's administrative figures per year, and who changed them."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from survey.accounts.access import ORG_READ_ROLES, allow, may_read_organization, roles_required
from survey.core.extensions import db
from survey.dialogues.counts import recorded_figures
from survey.indicators import figures
from survey.indicators.forms import IndicatorForm
from survey.models import Organization

bp = Blueprint("indicators", __name__, url_prefix="/manage/indicators")


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """Organizations by years: which figures are entered, who changed them last, when."""
    query = sa.select(Organization).order_by(Organization.position, Organization.code)
    if current_user.role == "org_officer":
        query = query.where(Organization.id == current_user.organization_id)
    organizations = db.session.scalars(query).all()
    years = figures.overview_years()
    return render_template(
        "indicators/index.html",
        organizations=organizations,
        years=years,
        table=figures.overview(organizations, years),
    )


@bp.route("/<org>/<int:year>", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def edit(org, year):
    """One organization's figures for one year: the form, and the history of its changes."""
    organization = db.session.scalar(sa.select(Organization).where(Organization.code == org))
    if organization is None or not figures.valid_year(year):
        abort(404)
    allow(may_read_organization(current_user, organization.id))
    editable = figures.editable_fields(current_user, organization)
    indicator = figures.indicator_for(organization, year)
    stored = figures.form_values(indicator)
    status, conflict = 200, False
    if request.method == "POST":
        allow(editable)
        form = IndicatorForm()
        changes = form.changes(editable, figures.stored_values(indicator))
        if changes is not None:
            try:
                old, _after = figures.save_indicator(organization, year, changes, current_user)
                db.session.commit()
            except IntegrityError:  # another save of the same year came first
                db.session.rollback()
                conflict = True
            else:
                flash(_("The figures were saved.") if old else _("Nothing was changed."))
                return redirect(url_for("indicators.edit", org=org, year=year))
        form.show_stored(stored, editable)
        status = 422
    else:
        form = IndicatorForm(data=stored)
    return render_template(
        "indicators/edit.html",
        organization=organization,
        year=year,
        form=form,
        figure_sections=figures.SECTIONS,
        vetoes=figures.VETOES,
        editable=editable,
        conflict=conflict,
        history=figures.history(organization, year),
        recorded=recorded_figures(organization.id, year) or {},
    ), status
