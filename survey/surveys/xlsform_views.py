"""The builder's XLSForm pages: start a survey from a workbook, download a survey's workbook.

A page of its own, linked from the survey list and the new-survey page; the rules of the file
are survey.surveys.xlsform_import's, the service survey.surveys.xlsform_upload's. A refused
upload keeps nothing and says why; an accepted one shows the import's report, row by row.
"""

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user
from wtforms import SelectChoice

from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    allow,
    may_read_survey,
    roles_required,
)
from survey.core.extensions import db
from survey.core.forms import take_uploads
from survey.responses import catalog
from survey.surveys import listing, xlsform_findings, xlsform_upload
from survey.surveys.changes import BuilderError
from survey.surveys.forms import XLSFormUploadForm, parse_number
from survey.surveys.xlsform_findings import Level
from survey.surveys.xlsform_import import MAX_XLSFORM_BYTES, Refusal, XLSFormError

bp = Blueprint("xlsform", __name__, url_prefix="/manage/surveys")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The upload alone takes a body the size of a workbook.
take_uploads(bp, "xlsform.upload", lambda: MAX_XLSFORM_BYTES)


@bp.errorhandler(413)
def too_large(_error):
    """A body over even the upload's limit: the upload page again, saying so."""
    message = xlsform_findings.refusal_words(XLSFormError(Refusal.TOO_BIG))
    return _page(_form(formdata=None), message, []), 413


@bp.route("/import-xlsform", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def upload():
    """Start a survey from an XLSForm workbook: a draft, and the report of what was imported
    another way than written, or not at all."""
    form = _form()
    if request.method == "GET":
        return _page(form, None, [])
    error, findings = None, []
    if form.validate():
        with form.file.data.stream as upload:  # closed at once: a large one is a temporary file
            data = upload.read(MAX_XLSFORM_BYTES + 1)
        try:
            survey, imported = xlsform_upload.import_xlsform(
                current_user,
                data,
                year=parse_number(form.year.data),
                audience=form.audience.data or None,
                topic=form.topic.data or None,
                code=(form.code.data or "").strip() or None,
                organization_codes=form.organizations.data or [],
                strict=form.strict.data,
            )
        except XLSFormError as refused:
            db.session.rollback()
            error = xlsform_findings.refusal_words(refused)
            findings = [
                xlsform_findings.vietnamese(f) for f in refused.findings if f.level == Level.REFUSED
            ]
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(form, refused)
        else:
            db.session.commit()
            catalog.forget_survey(survey.code)
            return render_template(
                "builder/xlsform_done.html",
                survey=survey,
                imported=imported,
                words=xlsform_findings.vietnamese,
            )
    return _page(form, error, findings), 422


@bp.get("/<code>/xlsform")
@roles_required(*ORG_READ_ROLES)
def download(code):
    """The survey's questions as an XLSForm workbook, for KoboToolbox, ODK or another commune."""
    survey = listing.survey_for_builder(code)
    if survey is None:
        abort(404)
    allow(may_read_survey(current_user, survey))
    return send_file(
        io.BytesIO(xlsform_upload.xlsform_of(survey)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{survey.code}.xlsx",
    )


def _form(**kwargs):
    form = XLSFormUploadForm(**kwargs)
    form.organizations.choices = [SelectChoice(o.code, o.name) for o in listing.organizations()]
    return form


def _page(form, error, findings):
    return render_template(
        "builder/xlsform.html",
        form=form,
        error=error,
        findings=findings,
        limit=MAX_XLSFORM_BYTES // 2**20,
    )


def _mark(form, refused):
    """Put the refusal on its field; return it when no field of this form shows it."""
    field = getattr(form, refused.field, None) if refused.field else None
    if field is None:
        return refused.message
    field.errors = [*field.errors, refused.message]
    return None
