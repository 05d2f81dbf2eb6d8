"""Administration for the Party Committee Office: users, villages, organizations, settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from survey.accounts import officers, sign_ins
from survey.accounts.access import roles_required
from survey.accounts.forms import NOT_AN_EMAIL, PasswordForm
from survey.admin import rules_views
from survey.admin.forms import (
    NewUserForm,
    OrganizationForm,
    SettingsForm,
    UserForm,
    VillageForm,
)
from survey.commune import directory
from survey.commune import settings as commune_settings
from survey.core.extensions import db
from survey.models import User

bp = Blueprint("admin", __name__, url_prefix="/manage/admin")

REFUSALS = {
    "username taken": _l("This username is taken: choose another."),
    "province role": _l("The province's accounts are made by the province office."),
    "not an email": NOT_AN_EMAIL,
    "demote self": _l(
        "You cannot change your own role. Ask another administrator if it must change."
    ),
    "deactivate self": _l(
        "You cannot deactivate your own account. Ask another administrator if it must be done."
    ),
    "password too short": _l(
        "The password needs at least %(n)d characters.", n=officers.MIN_PASSWORD_LENGTH
    ),
}
CODE_TAKEN = _l("Another one already has this code: choose another.")


@bp.before_request
@roles_required("admin")
def only_admins():
    """Every page here is for the Party Committee Office (role admin) alone."""


@bp.get("/")
def index():
    """The administration home: users, villages, organizations, commune settings."""
    return render_template(
        "admin/index.html",
        counts={
            "users": len(officers.users()),
            "villages": len(directory.villages()),
            "organizations": len(directory.organizations()),
        },
    )


# --- users -----------------------------------------------------------------------------------


@bp.get("/users")
def users():
    """Every account with its role, binding, state and last sign-in."""
    return render_template("admin/users.html", users=officers.users())


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create an account with its first password."""
    form = NewUserForm()
    form.set_choices(directory.organizations(), directory.villages())
    if form.validate_on_submit():
        try:
            user = officers.create_user(
                username=form.username.data.strip(),
                role=form.role.data,
                password=form.password.data,
                full_name=form.full_name.data.strip(),
                email=form.email.data or "",
                **_binding(form),
            )
        except officers.AccountRefused as refused:
            db.session.rollback()
            _field_error(form, refused)
        else:
            db.session.commit()
            flash(_("Account %(username)s created.", username=user.username))
            return redirect(url_for("admin.users"))
    return _form_page("admin/user_new.html", form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id):
    """Change an account's name, role, organization or village; buttons to (de)activate."""
    user = _user_or_404(user_id)
    form = UserForm(
        data=None
        if request.method == "POST"
        else {
            "full_name": user.full_name,
            "email": user.email,
            "role": user.role,
            "organization": user.organization.code if user.organization else "",
            "unit": user.unit.code if user.unit else "",
        }
    )
    form.set_choices(directory.organizations(), directory.villages())
    if form.validate_on_submit():
        try:
            officers.update_user(
                user,
                by=current_user,
                full_name=form.full_name.data.strip(),
                role=form.role.data,
                email=form.email.data or "",
                **_binding(form),
            )
        except officers.AccountRefused as refused:
            db.session.rollback()
            user = _user_or_404(user_id)
            _field_error(form, refused)
        else:
            db.session.commit()
            flash(_("Account %(username)s saved.", username=user.username))
            return redirect(url_for("admin.users"))
    return _form_page("admin/user_edit.html", form, user=user)


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id):
    """Stop an account signing in and end its sessions (never one's own)."""
    user = _user_or_404(user_id)
    try:
        officers.deactivate_user(user, by=current_user)
    except officers.AccountRefused as refused:
        flash(REFUSALS[refused.reason])
        return redirect(url_for("admin.user_edit", user_id=user.id))
    db.session.commit()
    flash(_("Account %(username)s deactivated: it can no longer sign in.", username=user.username))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reactivate")
def user_reactivate(user_id):
    """Let a deactivated account sign in again."""
    user = _user_or_404(user_id)
    officers.reactivate_user(user)
    db.session.commit()
    flash(_("Account %(username)s reactivated.", username=user.username))
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id):
    """Set a new password for an account; its sessions end."""
    user = _user_or_404(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        officers.reset_password(user, form.password.data)
        if user.id == current_user.id:
            # This browser stays signed in, with a sign-in of its own; the others are ended.
            sign_ins.start(user)
            login_user(user)
        db.session.commit()
        flash(
            _(
                "New password set for %(username)s. Give it to the person in private.",
                username=user.username,
            )
        )
        return redirect(url_for("admin.users"))
    return _form_page("admin/user_password.html", form, user=user)


def _user_or_404(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _binding(form):
    return {
        "organization": directory.organization_by_code(form.organization.data)
        if form.organization.data
        else None,
        "unit": directory.village_by_code(form.unit.data) if form.unit.data else None,
    }


def _field_error(form, refused):
    field = getattr(form, refused.field or "", None) or form.role
    field.errors = [*field.errors, REFUSALS.get(refused.reason, refused.reason)]


def _form_page(template, form, **context):
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, **context), status


# --- villages and organizations --------------------------------------------------------------


@bp.get("/villages")
def villages():
    """Every village with its population and households."""
    return render_template("admin/villages.html", villages=directory.villages())


@bp.route("/villages/new", methods=["GET", "POST"])
def village_new():
    """Add a village."""
    return _commune_form(VillageForm(), None, directory.save_village, "villages", "village")


@bp.route("/villages/<unit>/edit", methods=["GET", "POST"])
def village_edit(unit):
    """Change a village's code, name, population, households or order."""
    village = directory.village_by_code(unit) or abort(404)
    form = VillageForm(obj=None if request.method == "POST" else village)
    return _commune_form(form, village, directory.save_village, "villages", "village")


@bp.get("/organizations")
def organizations():
    """Every organization with its short name and members."""
    return render_template("admin/organizations.html", organizations=directory.organizations())


@bp.route("/organizations/new", methods=["GET", "POST"])
def organization_new():
    """Add an organization."""
    return _commune_form(
        OrganizationForm(), None, directory.save_organization, "organizations", "organization"
    )


@bp.route("/organizations/<org>/edit", methods=["GET", "POST"])
def organization_edit(org):
    """Change an organization's code, names, order or members."""
    organization = directory.organization_by_code(org) or abort(404)
    form = OrganizationForm(obj=None if request.method == "POST" else organization)
    return _commune_form(
        form, organization, directory.save_organization, "organizations", "organization"
    )


def _commune_form(form, row, save, listing, kind):
    if form.validate_on_submit():
        values = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in form.data.items()
            if name != "csrf_token"
        }
        try:
            saved = save(row, values)
        except directory.CommuneRefused:
            db.session.rollback()
            form.code.errors = [*form.code.errors, CODE_TAKEN]
        else:
            db.session.commit()
            flash(_("Saved: %(name)s.", name=saved.name))
            return redirect(url_for(f"admin.{listing}"))
    return _form_page(f"admin/{kind}_form.html", form, row=row)


# --- commune settings ------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The commune's name, district, province, public address and suppression threshold."""
    form = SettingsForm(
        data=None if request.method == "POST" else commune_settings.settings_in_force()
    )
    if form.validate_on_submit():
        changed = commune_settings.save_settings(form.values())
        db.session.commit()
        flash(_("Settings saved.") if changed else _("Nothing changed."))
        return redirect(url_for("admin.settings"))
    return _form_page("admin/settings.html", form)


@bp.route("/rules", methods=["GET", "POST"])
def rules():
    """The commune's rule set of the annual rating (survey.admin.rules_views)."""
    return rules_views.rules_page(rules_views.COMMUNE)
