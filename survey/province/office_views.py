"""The province office's pages (blueprint `province_office`, province_admin only): the
province's communes, a new commune, and each commune's administrators' accounts."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.accounts import officers
from survey.accounts.access import roles_required
from survey.accounts.forms import PasswordForm
from survey.commune.tenants import CommuneError
from survey.core.extensions import db
from survey.province import communes
from survey.province.forms import AdminForm, CommuneForm

bp = Blueprint("province_office", __name__, url_prefix="/province/communes")

REFUSALS = {
    "username taken": _l("This username is taken: choose another."),
    "password too short": _l(
        "The password needs at least %(n)d characters.", n=officers.MIN_PASSWORD_LENGTH
    ),
}


@bp.before_request
@roles_required("province_admin")
def only_the_province_office():
    """Every page here is for the province office (role province_admin) alone."""


@bp.get("/")
def index():
    """Every commune with what it holds and its administrators."""
    return render_template("province/communes.html", communes=communes.commune_summaries())


@bp.route("/new", methods=["GET", "POST"])
def commune_new():
    """Make a commune."""
    form = CommuneForm()
    if form.validate_on_submit():
        try:
            commune = communes.add_commune(
                form.code.data.strip(),
                form.name.data,
                (form.province.data or "").strip(),
                form.national_code.data or "",
                form.merged(),
            )
        except CommuneError:
            db.session.rollback()
            form.code.errors = [*form.code.errors, _("This code cannot be used: choose another.")]
        else:
            db.session.commit()
            flash(
                _(
                    "Commune %(name)s made. Now make its administrator's account.",
                    name=commune.name,
                )
            )
            return redirect(url_for("province_office.commune", commune=commune.code))
    return _form_page("province/commune_new.html", form)


@bp.get("/<commune>")
def commune(commune):
    """One commune: who it is, what it holds, and its administrators' accounts."""
    found = _commune_or_404(commune)
    summary = next(s for s in communes.commune_summaries() if s.code == found.code)
    return render_template(
        "province/commune.html",
        commune=summary,
        admins=communes.commune_admins(found.id),
    )


@bp.route("/<commune>/admins/new", methods=["GET", "POST"])
def admin_new(commune):
    """Make an administrator's account for the commune (role admin, its Party Committee
    Office), with its first password."""
    found = _commune_or_404(commune)
    form = AdminForm()
    if form.validate_on_submit():
        try:
            user = communes.add_admin(
                found.id,
                username=form.username.data.strip(),
                full_name=form.full_name.data.strip(),
                email=form.email.data or "",
                password=form.password.data,
            )
        except officers.AccountRefused as refused:
            db.session.rollback()
            field = getattr(form, refused.field or "", None) or form.username
            field.errors = [*field.errors, REFUSALS.get(refused.reason, refused.reason)]
        else:
            username = user.username  # read before the commit expires it, in this commune
            db.session.commit()
            flash(
                _(
                    "Account %(username)s made for %(commune)s. Give the password to the "
                    "person in private.",
                    username=username,
                    commune=found.name,
                )
            )
            return redirect(url_for("province_office.commune", commune=found.code))
    return _form_page("province/admin_new.html", form, commune=found)


@bp.route("/<commune>/admins/<int:admin_id>/password", methods=["GET", "POST"])
def admin_password(commune, admin_id):
    """Set a new password for one of the commune's administrators; their sessions end."""
    found, user = _admin_or_404(commune, admin_id)
    form = PasswordForm()
    if form.validate_on_submit():
        username = user.username
        communes.reset_admin_password(found.id, user, form.password.data)
        db.session.commit()
        flash(
            _(
                "New password set for %(username)s. Give it to the person in private.",
                username=username,
            )
        )
        return redirect(url_for("province_office.commune", commune=found.code))
    return _form_page("province/admin_password.html", form, commune=found, user=user)


@bp.post("/<commune>/admins/<int:admin_id>/deactivate")
def admin_deactivate(commune, admin_id):
    """Stop one of the commune's administrators signing in (their sessions end)."""
    return _set_active(commune, admin_id, False)


@bp.post("/<commune>/admins/<int:admin_id>/reactivate")
def admin_reactivate(commune, admin_id):
    """Let one of the commune's administrators sign in again."""
    return _set_active(commune, admin_id, True)


def _set_active(commune, admin_id, active):
    found, user = _admin_or_404(commune, admin_id)
    username = user.username
    communes.set_admin_active(found.id, user, active)
    db.session.commit()
    if active:
        flash(_("Account %(username)s reactivated.", username=username))
    else:
        flash(_("Account %(username)s deactivated: it can no longer sign in.", username=username))
    return redirect(url_for("province_office.commune", commune=found.code))


def _commune_or_404(code):
    found = communes.commune_or_none(code)
    if found is None:
        abort(404)
    return found


def _admin_or_404(code, admin_id):
    found = _commune_or_404(code)
    user = communes.commune_admin(found.id, admin_id)
    if user is None:
        abort(404)
    return found, user


def _form_page(template, form, **context):
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, **context), status
