"""Paper entry: village officers type paper forms, keyboard first; double entry when asked."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.accounts.access import (
    PAPER_ROLES,
    allow,
    may_change_sheets,
    may_enter_paper,
    may_type_survey,
    roles_required,
)
from survey.core.errors import UNAVAILABLE, retry_later, rollback_quietly
from survey.core.extensions import db
from survey.models import Survey
from survey.paper.entry import (
    SheetRefused,
    check_sheet,
    enter_sheet,
    mismatches,
    parse_sheet_number,
    resolve,
    sheet_counts,
    sheet_label,
    sheet_number,
    typed_from_answers,
)
from survey.paper.sheets import correct_sheet, find_sheet, stored_answers, withdraw_sheet
from survey.responses import catalog
from survey.responses.answer_rules import small_whole_number
from survey.responses.release import release_ready
from survey.responses.slips import slips_html

bp = Blueprint("paper", __name__, url_prefix="/manage/paper")

REFUSALS = {
    "already counted": _l("This sheet number was already counted."),
    "same person": _l("The second typing must be done by another person."),
    "mismatch pending": _l("This sheet waits for its difference to be resolved."),
    "other village": _l("This sheet was first typed for another village."),
    "typed meanwhile": _l("Someone saved this sheet a moment ago. Check it and save again."),
    "not your typing": _l(
        "This sheet waits for its second typing: only the person who typed it, or the office, "
        "may change it."
    ),
}


@bp.app_template_filter("sheet_number")
def sheet_number_filter(label):
    """The number written on a sheet, from its stored label ("thon1-0012" -> 12)."""
    return sheet_number(label)


@bp.get("/")
@roles_required(*PAPER_ROLES)
def index():
    """The surveys open for paper forms that this officer may type (closed ones are not
    offered: their answers are counted)."""
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.status == "open").order_by(Survey.year.desc(), Survey.code)
    ).all()
    allowed = [s for s in surveys if s.state() == "open" and may_type_survey(current_user, s)]
    return render_template("paper/index.html", surveys=allowed)


@bp.route("/<code>", methods=["GET", "POST"])
@roles_required(*PAPER_ROLES)
def enter(code):
    """Type one paper sheet; the next sheet number is suggested after each one."""
    survey = _survey_or_404(code)
    unit, units = _unit_for(survey)
    typed = {q.code: request.form.get(f"q_{q.code}", "") for q in survey.questions}
    errors, sheet_error, busy = {}, None, False
    number_text = request.values.get("sheet", "")
    if request.method == "POST":
        number = parse_sheet_number(number_text)
        if number is None:
            sheet_error = _("Write the number printed or written on the sheet (1, 2, 3, ...).")
        if unit is None:
            abort(400)
        answers, errors = check_sheet(survey, typed)
        if not errors and sheet_error is None:
            try:
                result = enter_sheet(survey, unit, sheet_label(unit, number), answers, current_user)
                db.session.commit()
            except SheetRefused as refused:
                db.session.rollback()
                sheet_error = REFUSALS[str(refused)]
            except UNAVAILABLE:
                rollback_quietly()  # nothing of the sheet was stored: it can be saved again
                sheet_error = _("The site is busy for a moment: save the sheet again in a minute.")
                busy = True
            else:
                _counted(survey, result)
                flash(_outcome_message(survey, unit, result))
                return redirect(url_for("paper.enter", code=code, unit=unit.code, sheet=number + 1))
        status = 503 if busy else 422
    else:
        status = 200
    return (
        render_template(
            "paper/enter.html",
            survey=survey,
            unit=unit,
            units=units,
            typed=typed,
            errors=errors,
            sheet=number_text,
            sheet_error=sheet_error,
            counts=sheet_counts(survey, unit) if unit is not None else None,
            may_change=unit is not None and may_change_sheets(current_user, survey, unit),
        ),
        status,
        retry_later() if busy else {},
    )


@bp.route("/<code>/differences", methods=["GET", "POST"])
@roles_required(*PAPER_ROLES)
def differences(code):
    """Sheets typed twice with different answers, to be read again from the paper."""
    survey = _survey_or_404(code)
    allow(may_type_survey(current_user, survey))
    errors, typed, sheet = {}, {}, request.form.get("sheet_no", "")
    if request.method == "POST":
        pairs = {first.sheet_no: first for first, _second, _diff in mismatches(survey)}
        first = pairs.get(sheet)
        if first is None or not may_enter_paper(current_user, survey, first.unit):
            abort(404)
        typed = {q.code: request.form.get(f"q_{q.code}", "") for q in survey.questions}
        answers, errors = check_sheet(survey, typed)
        if not errors:
            result = resolve(survey, sheet, answers, current_user)
            db.session.commit()
            _counted(survey, result)
            flash(_outcome_message(survey, first.unit, result))
            return redirect(url_for("paper.differences", code=code))
    pairs = [
        (
            first,
            second,
            diff,
            typed_from_answers(survey.questions, first.answers),
            typed_from_answers(survey.questions, second.answers),
        )
        for first, second, diff in mismatches(survey)
        if may_enter_paper(current_user, survey, first.unit)
    ]
    return render_template(
        "paper/differences.html",
        survey=survey,
        pairs=pairs,
        errors=errors,
        typed=typed,
        sheet=sheet,
    ), (422 if errors else 200)


def _counted(survey, result):
    """After the commit: a stored sheet joins its survey's next batch."""
    if result.outcome == "stored":
        release_ready(survey.id)


def _survey_or_404(code):
    survey = catalog.survey_by_code(code)
    if survey is None or survey.status == "draft":
        abort(404)
    return survey


def _unit_for(survey):
    """The village the sheets belong to: a village officer's own, or the one chosen."""
    if current_user.role == "unit_officer":
        unit = current_user.unit
        units = None
    else:
        units = catalog.units()
        unit = catalog.unit_by_code(request.values.get("unit")) or (units[0] if units else None)
    if not may_enter_paper(current_user, survey, unit):
        abort(403)
    return unit, units


def _outcome_message(survey, unit, result):
    sheet = _(
        "no. %(number)d (%(village)s)", number=sheet_number(result.sheet_no), village=unit.name
    )
    if result.outcome == "stored":
        return _("Sheet %(sheet)s counted.", sheet=sheet)
    if result.outcome == "waiting":
        return _(
            "Sheet %(sheet)s typed once. Another person must type it again to check it.",
            sheet=sheet,
        )
    positions = {q.code: i + 1 for i, q in enumerate(survey.questions)}
    numbers = ", ".join(str(positions[c]) for c in result.differences)
    return _(
        "Sheet %(sheet)s: the two typings differ at question %(numbers)s. See Differences.",
        sheet=sheet,
        numbers=numbers,
    )


@bp.route("/<code>/sheets", methods=["GET", "POST"])
@roles_required("admin", "unit_officer")
def sheets(code):
    """Find a typed sheet by its village and number, to correct its answers from the paper or
    withdraw it with a reason (survey.paper.sheets)."""
    survey = _survey_or_404(code)
    unit, units = _unit_for(survey)
    allow(may_change_sheets(current_user, survey, unit))
    number_text = request.values.get("sheet", "").strip()
    number = parse_sheet_number(number_text)
    sheet = find_sheet(survey, unit, number) if number is not None else None
    page = {"typed": {}, "errors": {}, "message": None, "reason": "", "reason_error": None}
    if sheet is not None:
        answers = sheet.waiting.answers if sheet.waiting else stored_answers(survey, sheet.response)
        page["typed"] = typed_from_answers(survey.questions, answers)
    status = 200
    if request.method == "POST":
        if sheet is None or survey.state() != "open":
            abort(409)
        status, done = _change_sheet(survey, sheet, page)
        if done:
            return done
    return render_template(
        "paper/sheets.html",
        survey=survey,
        unit=unit,
        units=units,
        number=number_text,
        looked=bool(number_text),
        number_error=bool(number_text) and number is None,
        sheet=sheet,
        **page,
    ), status


def _change_sheet(survey, sheet, page):
    """Correct or withdraw `sheet` as the form asks; (status, redirect) or (status, None) with
    `page` telling what to show again."""
    back = url_for("paper.sheets", code=survey.code, unit=sheet.unit.code, sheet=sheet.number)
    try:
        if request.form.get("action") == "withdraw":
            page["reason"] = request.form.get("reason", "").strip()[:500]
            if not page["reason"] or request.form.get("confirm") != "yes":
                page["reason_error"] = _(
                    "Write why the sheet is withdrawn and tick the box to confirm."
                )
                return 422, None
            withdraw_sheet(survey, sheet, page["reason"], current_user)
            db.session.commit()
            flash(_("The sheet was withdrawn: it no longer counts."))
            return 200, redirect(url_for("paper.sheets", code=survey.code, unit=sheet.unit.code))
        page["typed"] = {q.code: request.form.get(f"q_{q.code}", "") for q in survey.questions}
        answers, page["errors"] = check_sheet(survey, page["typed"])
        if page["errors"]:
            return 422, None
        changed = correct_sheet(survey, sheet, answers, current_user)
        db.session.commit()
    except SheetRefused as refused:
        db.session.rollback()
        page["message"] = REFUSALS[str(refused)]
        return 409, None
    if changed:
        flash(_("Sheet corrected: question %(numbers)s changed.", numbers=_numbers(changed)))
    else:
        flash(_("Nothing changed: the answers typed are those already saved."))
    return 200, redirect(back)


def _numbers(positions):
    return ", ".join(str(n) for n in positions)


@bp.route("/<code>/slips", methods=["GET", "POST"])
@roles_required(*PAPER_ROLES)
def slips(code):
    """Print single-use invitation slips of a member survey for a village (A4 sheets)."""
    survey = _survey_or_404(code)
    if survey.audience != "member":
        abort(404)
    unit, units = _unit_for(survey)
    count_text = request.form.get("count", "20")
    error = None
    if request.method == "POST":
        count = small_whole_number(count_text.strip()) or 0
        if not 1 <= count <= 500:
            error = _("Write how many slips to print, from 1 to 500.")
        else:
            back = url_for("paper.slips", code=survey.code, unit=unit.code if unit else None)
            page = slips_html(survey, unit, count, back_url=back)
            db.session.commit()
            return page
    return render_template(
        "paper/slips.html", survey=survey, unit=unit, units=units, count=count_text, error=error
    ), (422 if error else 200)
