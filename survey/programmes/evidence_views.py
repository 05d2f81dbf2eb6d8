"""A task's evidence: the list and the upload form, each file served safely, made public or
deleted (with a confirmation). The rules of a file are survey/programmes/evidence.py's.

Its small upload form lives here rather than in a forms.py of the package: it is this page's
only form, and nothing else of the package shares it.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, StringField
from wtforms.validators import Length, ValidationError

from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    allow,
    may_change_organization,
    may_read_organization,
    roles_required,
)
from survey.core.extensions import db
from survey.core.forms import OfficerForm, take_uploads
from survey.core.i18n import size_in_words
from survey.programmes import evidence as service

bp = Blueprint("evidence", __name__, url_prefix="/manage")


def refusal_message(reason):
    """Why a file was refused, in words, with what is accepted."""
    accepted = _("Accepted: photos (JPEG, PNG, WebP) and PDF files, up to %(size)s.", size=_limit())
    return {
        "empty": _("The file is empty. Choose the photo or the PDF file again."),
        "too large": _("The file is too large.") + " " + accepted,
        "not accepted": _("This kind of file is not accepted.") + " " + accepted,
        "damaged image": _("The photo could not be read: it may be damaged.") + " " + accepted,
        "too many pixels": _("The photo is too large (too many pixels).") + " " + accepted,
    }[reason]


def _limit():
    return size_in_words(current_app.config["EVIDENCE_MAX_BYTES"])


class EvidenceForm(OfficerForm):
    """One file, its caption, and whether it may be shown with the published feedback."""

    file = FileField(_l("File (photo or PDF)"))
    caption = StringField(
        _l("Caption"),
        validators=[Length(max=300, message=_l("Keep the caption under 300 characters."))],
    )
    public = BooleanField(_l("Public with the reply to the feedback"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_("Choose a photo or a PDF file."))


# The upload page alone takes a body the size of an evidence file.
take_uploads(bp, "evidence.task_evidence", "EVIDENCE_MAX_BYTES")


@bp.errorhandler(413)
def too_large(_error):
    """A body over even the upload's limit: say what is accepted, and how to go back."""
    return render_template(
        "programmes/evidence_too_large.html", message=refusal_message("too large")
    ), 413


def _task_or_404(task_id):
    task = service.task_with_evidence(task_id)
    if task is None:
        abort(404)
    allow(may_read_organization(current_user, task.organization_id))
    return task


@bp.route("/tasks/<int:task_id>/evidence", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def task_evidence(task_id):
    """A task's evidence files, and the upload form for those who may change the task."""
    task = _task_or_404(task_id)
    may_change = may_change_organization(current_user, task.organization_id)
    form = EvidenceForm() if may_change else None
    status = 200
    if request.method == "POST":
        allow(may_change)
        if form.validate_on_submit():
            upload = form.file.data
            try:
                checked = service.check_file(
                    upload.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1),
                    current_app.config["EVIDENCE_MAX_BYTES"],
                )
            except service.EvidenceRefused as refused:
                form.file.errors = [refusal_message(refused.reason)]
            else:
                _store(task, checked, form)
                return redirect(url_for("evidence.task_evidence", task_id=task.id))
        status = 422
    return render_template(
        "programmes/evidence.html",
        task=task,
        form=form,
        may_change=may_change,
        uploaders=service.uploaders(task.evidence),
        limit=_limit(),
    ), status


def _store(task, checked, form):
    """Keep the file and its row, or neither."""
    evidence = service.add_evidence(
        task,
        checked,
        form.file.data.filename,
        form.caption.data,
        form.public.data,
        current_user,
    )
    try:
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        service.remove_files([evidence.stored_name])
        raise
    flash(_("The file “%(name)s” was added.", name=evidence.filename))


def _evidence_to_change(evidence_id):
    evidence = service.evidence_for(evidence_id)
    if evidence is None:
        abort(404)
    allow(may_change_organization(current_user, evidence.task.organization_id))
    return evidence


@bp.post("/evidence/<int:evidence_id>/public")
@roles_required(*ORG_CHANGE_ROLES)
def set_public(evidence_id):
    """Show a file with the task's published feedback (public=1), or stop showing it."""
    evidence = _evidence_to_change(evidence_id)
    public = request.form.get("public") == "1"
    if service.set_public(evidence, public, current_user):
        db.session.commit()
        if public:
            flash(_("“%(name)s” is now public with the reply.", name=evidence.filename))
        else:
            flash(_("“%(name)s” is no longer public.", name=evidence.filename))
    return redirect(url_for("evidence.task_evidence", task_id=evidence.task_id))


@bp.route("/evidence/<int:evidence_id>/delete", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def delete(evidence_id):
    """Ask first; the confirmed form deletes the row and then the file."""
    evidence = _evidence_to_change(evidence_id)
    if request.method == "POST":
        task_id, name = evidence.task_id, evidence.filename
        stored_name = service.delete_evidence(evidence, current_user)
        db.session.commit()
        service.remove_files([stored_name])
        flash(_("The file “%(name)s” was deleted.", name=name))
        return redirect(url_for("evidence.task_evidence", task_id=task_id))
    return render_template(
        "programmes/evidence_delete.html",
        evidence=evidence,
    )


@bp.get("/evidence/<int:evidence_id>")
@roles_required(*ORG_READ_ROLES)
def file(evidence_id):
    """The file itself, to those who may read the task's organization."""
    evidence = service.evidence_for(evidence_id)
    if evidence is None:
        abort(404)
    allow(may_read_organization(current_user, evidence.task.organization_id))
    return service.file_response(evidence)
