"""Downloads: the year-end report and workbook, and a survey's anonymized responses."""

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from analytics import AnalyticsError
from survey.accounts.access import (
    ORG_READ_ROLES,
    READ_ALL_ROLES,
    allow,
    may_read_survey,
    roles_required,
    withheld_text_questions,
)
from survey.core.i18n import select_locale
from survey.reports import exports
from survey.reports.year_data import NothingToReport
from survey.responses import catalog

bp = Blueprint("reports", __name__, url_prefix="/dashboard")

# What these files hold is not for shared caches or the browser's history of pages.
PRIVATE = {"Cache-Control": "private, no-store"}


@bp.get("/report/<int:year>.<any(docx, xlsx, html):fmt>")
@roles_required(*READ_ALL_ROLES)
def year_report(year, fmt):
    """The year-end report (DOCX to edit, HTML to print) or the year's workbook (XLSX)."""
    return _report(year, fmt, "rating")


@bp.get("/report/<int:year>/resolution.<any(docx, html):fmt>")
@roles_required(*READ_ALL_ROLES)
def resolution_report(year, fmt):
    """The report on carrying out the resolution in the year (DOCX to edit, HTML to print)."""
    return _report(year, fmt, "resolution")


def _report(year, fmt, kind):
    try:
        content = exports.report_file(year, fmt, kind)
    except NothingToReport:
        flash(
            _(
                "There is nothing to report for %(year)s yet: no surveys, annual figures or "
                "finalized ratings.",
                year=year,
            )
        )
        return redirect(url_for("ratings.index"))
    except AnalyticsError as error:
        return render_template("ratings/rules_error.html", year=year, error=str(error)), 500
    response = send_file(
        io.BytesIO(content),
        mimetype=exports.REPORT_TYPES[fmt],
        as_attachment=fmt != "html",  # the HTML opens in the browser, to print
        download_name=exports.report_filename(year, fmt, kind),
    )
    response.headers.update(PRIVATE)
    return response


@bp.get("/survey/<code>/export.<any(csv, xlsx, sav, dta):fmt>")
@roles_required(*ORG_READ_ROLES)
def survey_export(code, fmt):
    """A survey's responses, anonymized, as CSV (streamed), XLSX, SPSS or Stata, for those who
    may read it. The labels of SPSS and Stata files are in `?lang=` when it is one of the
    survey's languages, else in the reader's interface language."""
    survey = catalog.survey_by_code(code)
    if survey is None:
        abort(404)
    allow(may_read_survey(current_user, survey))
    # An organization's officer gets no column for the free text of other organizations'
    # questions (the survey's page says which).
    withheld = withheld_text_questions(current_user, survey)
    name = exports.export_filename(survey, fmt)
    if fmt in ("sav", "dta"):
        lang = request.args.get("lang")
        if lang not in (survey.languages or ["vi"]):
            lang = select_locale()
        # Written whole before the answer starts (errors show as errors), then streamed.
        response = Response(
            exports.survey_labelled(survey, fmt, lang, withheld),
            mimetype=exports.EXPORT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    elif fmt == "xlsx":
        response = send_file(
            io.BytesIO(exports.survey_xlsx(survey, withheld)),
            mimetype=exports.EXPORT_TYPES[fmt],
            as_attachment=True,
            download_name=name,
        )
    else:  # streamed: 100,000 responses are read a page at a time, never all at once
        body = exports.in_app_context(
            current_app._get_current_object(), lambda: exports.survey_csv(survey, withheld)
        )
        response = Response(
            body,
            mimetype=exports.EXPORT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    response.headers.update(PRIVATE)
    return response
