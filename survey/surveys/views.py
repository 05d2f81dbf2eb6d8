"""The survey builder in the organizations' workspace: list, create, edit, preview, open, close.

Officers build their organization's surveys, the office any survey; the committee and the
inspection committee read every page and change nothing. The rules live in the builder's
services (survey_fields, questions, survey_life); each request that changes a survey commits
once, here, and then drops the public form's cached copy of it.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from analytics import criterion_label
from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    allow,
    may_change_survey,
    may_read_survey,
    roles_required,
)
from survey.commune import directory
from survey.core.extensions import db
from survey.core.i18n import select_locale
from survey.models import SURVEY_STATUSES, TOPICS, utcnow
from survey.models.vocabulary import AUDIENCE_NAMES, KIND_NAMES, STATUS_NAMES, TOPIC_NAMES
from survey.responses import catalog, qr
from survey.responses.views import preview_page
from survey.surveys import audio, listing, provenance, questions, survey_fields, survey_life
from survey.surveys.changes import BuilderError, is_frozen
from survey.surveys.forms import (
    START_NAMES,
    CloneForm,
    NewSurveyForm,
    QuestionForm,
    ScheduleForm,
    SurveyFieldsForm,
)

bp = Blueprint("builder", __name__, url_prefix="/manage/surveys")


@bp.app_context_processor
def builder_names():
    """Names of kinds, topics, audiences and statuses for the builder's templates."""
    return {
        "criterion_name": criterion_name,
        "kind_names": KIND_NAMES,
        "topic_names": TOPIC_NAMES,
        "audience_names": AUDIENCE_NAMES,
        "status_names": STATUS_NAMES,
    }


def criterion_name(code):
    """A criterion by its name in the reader's language; a commune's own criterion (one its rule
    set adds) has no name but its code."""
    try:
        return criterion_label(code, select_locale())
    except KeyError:
        return code


@bp.app_template_filter("localtime")
def localtime_filter(moment):
    """A stored UTC time as the commune's local time, e.g. 01/03/2026 07:00."""
    return format_datetime(moment, "dd/MM/yyyy HH:mm") if moment else ""


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The surveys this officer may read, filtered by year, status and topic."""
    year = request.args.get("year", type=int)
    status = request.args.get("status") if request.args.get("status") in SURVEY_STATUSES else None
    topic = request.args.get("topic") if request.args.get("topic") in TOPICS else None
    rows = listing.listed_surveys(current_user, year=year, status=status, topic=topic)
    counted = [
        (s, provenance.survey_provenance(s.id)) for s in provenance.counted_elsewhere(current_user)
    ]
    return render_template(
        "builder/index.html",
        rows=rows,
        counted=counted,
        year=year,
        status=status,
        topic=topic,
        may_create=current_user.role in ORG_CHANGE_ROLES,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def new():
    """Create a survey: blank, from a template, or a copy of an earlier one."""
    form = NewSurveyForm()
    sources = listing.copy_sources(current_user)
    form.source.choices = [SelectChoice("", "")] + [
        SelectChoice(s.code, f"{s.year} · {s.text('title', 'vi')}") for s in sources
    ]
    form.organizations.choices = [SelectChoice(o.code, o.name) for o in listing.organizations()]
    status = 200
    error = None
    if request.method == "GET":
        form.languages.data = ["vi", "en"]
        form.year.data = request.args.get("year") or str(utcnow().year)
    elif form.validate():
        source = next((s for s in sources if s.code == form.source.data), None)
        try:
            survey = survey_fields.create_survey(
                current_user,
                start=form.start.data,
                fields=form.survey_fields(),
                organization_codes=form.organizations.data or [],
                source=source,
            )
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(form, refused)
            status = 422
        else:
            _commit(survey.code)
            flash(_("The survey was created as a draft."))
            return redirect(url_for("builder.edit", code=survey.code), code=303)
    else:
        status = 422
    return render_template(
        "builder/new.html", form=form, error=error, start_names=START_NAMES, sources=sources
    ), status


@bp.route("/<code>", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def edit(code):
    """A survey's fields, questions and state; POST saves the fields."""
    survey = survey_or_404(code, change=request.method == "POST")
    form = SurveyFieldsForm()
    if request.method == "GET":
        form.fill_from(survey)
        return _edit_page(survey, form)
    error = None
    if form.validate():
        try:
            survey_fields.update_survey(survey, form.survey_fields())
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(form, refused)
        else:
            _commit(survey.code, code)
            flash(_("The survey was saved."))
            return redirect(url_for("builder.edit", code=survey.code), code=303)
    return _edit_page(survey_or_404(code), form, error=error, status=422)


@bp.route("/<code>/questions/new", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def add_question(code):
    """Add a question at the end of the survey, or after the one named by `?after=`."""
    survey = survey_or_404(code, change=request.method == "POST")
    after = next((q for q in survey.questions if q.code == request.args.get("after")), None)
    return _question_page(survey, None, after.position + 1 if after is not None else None)


@bp.route("/<code>/questions/<qcode>", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def edit_question(code, qcode):
    """Change one question: texts, kind, tags, condition, bounds, options."""
    survey = survey_or_404(code, change=request.method == "POST")
    return _question_page(survey, _question(survey, qcode))


@bp.post("/<code>/questions/<qcode>/move")
@roles_required(*ORG_CHANGE_ROLES)
def move_question(code, qcode):
    """Move a question one place up or down."""
    survey = survey_or_404(code, change=True)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if direction is None:
        abort(400)
    return _act(survey, questions.move_question, survey, _question(survey, qcode), direction)


@bp.post("/<code>/questions/<qcode>/duplicate")
@roles_required(*ORG_CHANGE_ROLES)
def duplicate_question(code, qcode):
    """Put a copy of a question right after it."""
    survey = survey_or_404(code, change=True)
    question = _question(survey, qcode)
    return _act(survey, questions.duplicate_question, current_user, survey, question)


@bp.post("/<code>/questions/<qcode>/delete")
@roles_required(*ORG_CHANGE_ROLES)
def delete_question(code, qcode):
    """Delete a question."""
    survey = survey_or_404(code, change=True)
    return _act(survey, questions.delete_question, survey, _question(survey, qcode))


@bp.route("/<code>/preview", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def preview(code):
    """The form as a citizen sees it; answers sent here are checked and never stored."""
    survey = survey_or_404(code)
    return preview_page(survey, answered=request.method == "POST")


@bp.post("/<code>/open")
@roles_required(*ORG_CHANGE_ROLES)
def open_now(code):
    """Open the survey for answers now, once the officer has confirmed what that means."""
    survey = survey_or_404(code, change=True)
    if not _confirmed():
        return _confirm_page(
            survey,
            "builder.open_now",
            _("Open the survey now?"),
            _("People will see this survey at once and can answer it.")
            if survey.audience == "public"
            else _("Members with an invitation slip can answer it at once."),
            _("Yes, open it now"),
        )
    survey_life.release_if_closed(survey)
    return _act(survey, survey_life.open_survey, survey, message=_("The survey is open."))


@bp.post("/<code>/close")
@roles_required(*ORG_CHANGE_ROLES)
def close_now(code):
    """Close the survey now, once the officer has confirmed what that means."""
    survey = survey_or_404(code, change=True)
    if not _confirmed():
        return _confirm_page(
            survey,
            "builder.close_now",
            _("Close the survey now?"),
            _(
                "It will take no more answers; every answer received counts at once. It can be "
                "opened again later."
            ),
            _("Yes, close it now"),
        )
    return _act(
        survey,
        survey_life.close_survey,
        survey,
        message=_("The survey is closed."),
        after_commit=survey_life.release_after_closing,
    )


@bp.post("/<code>/schedule")
@roles_required(*ORG_CHANGE_ROLES)
def schedule(code):
    """Set when the survey opens and closes (commune time)."""
    survey = survey_or_404(code, change=True)
    schedule_form = ScheduleForm()
    error = None
    if schedule_form.validate():
        opens = survey_life.parse_local_time(schedule_form.opens_at.data)
        closes = survey_life.parse_local_time(schedule_form.closes_at.data, end_of_day=True)
        if not _confirmed() and survey_life.dates_in_order(opens, closes):
            return _confirm_page(
                survey,
                "builder.schedule",
                _("Take answers between these dates?"),
                _schedule_words(opens, closes),
                _("Yes, save the dates"),
                carried={
                    "opens_at": schedule_form.opens_at.data,
                    "closes_at": schedule_form.closes_at.data,
                },
            )
        survey_life.release_if_closed(survey)
        try:
            survey_life.schedule_survey(survey, opens, closes)
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(schedule_form, refused)
        else:
            _commit(survey.code)
            flash(_("The dates were saved."))
            return redirect(url_for("builder.edit", code=survey.code), code=303)
    fields = SurveyFieldsForm(formdata=None)
    survey = survey_or_404(code)
    fields.fill_from(survey)
    return _edit_page(survey, fields, schedule_form=schedule_form, error=error, status=422)


@bp.route("/<code>/clone", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def clone(code):
    """Make a new draft version of the survey, to change its structure."""
    survey = survey_or_404(code, change=request.method == "POST")
    form = CloneForm()
    error = None
    status = 200
    if request.method == "GET":
        form.code.data = f"{survey.code}-v{survey.version + 1}"[:64]
    elif form.validate():
        try:
            copy = survey_life.clone_survey(current_user, survey, (form.code.data or "").strip())
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(form, refused)
            status = 422
        else:
            _commit(copy.code)
            flash(_("The new version was created as a draft."))
            return redirect(url_for("builder.edit", code=copy.code), code=303)
    else:
        status = 422
    return render_template(
        "builder/clone.html",
        survey=survey,
        form=form,
        error=error,
        can_change=may_change_survey(current_user, survey),
    ), status


def _confirmed():
    """Whether the officer pressed the confirmation page's button (not the first one)."""
    return request.form.get("confirm") == "yes"


def _confirm_page(survey, endpoint, question, consequence, button, carried=None):
    """What a change will do, asked before it is done: the form posts again with confirm."""
    return render_template(
        "builder/confirm.html",
        survey=survey,
        action=url_for(endpoint, code=survey.code),
        question=question,
        consequence=consequence,
        button=button,
        carried=carried or {},
    )


def _schedule_words(opens, closes):
    """The dates chosen, said as what will happen."""
    start = localtime_filter(opens) if opens else _("now")
    if closes is None:
        return _(
            "The survey will take answers from %(start)s until it is closed by hand.", start=start
        )
    return _(
        "The survey will take answers from %(start)s until %(end)s; people will see it only "
        "between these times.",
        start=start,
        end=localtime_filter(closes),
    )


def survey_or_404(code, change=False):
    """The survey `code` as the builder finds it, when the officer may read it (or, with
    `change`, change it): 404 when there is none here, 403 when it is not theirs."""
    survey = listing.survey_for_builder(code)
    if survey is None:
        abort(404)
    allow(
        may_change_survey(current_user, survey) if change else may_read_survey(current_user, survey)
    )
    return survey


def _question(survey, qcode):
    question = next((q for q in survey.questions if q.code == qcode), None)
    if question is None:
        abort(404)
    return question


def _mark(form, refused):
    """Put the refusal on its field; return it when no field of this form shows it."""
    field = getattr(form, refused.field, None) if refused.field else None
    if field is None:
        return refused.message
    field.errors = [*field.errors, refused.message]
    return None


def _commit(*codes):
    """Commit the request's change, then drop the public form's cached copy of each survey
    code it touched. After the commit, not before: a copy read in between would be the old
    version, or one about to be rolled back."""
    db.session.commit()
    for code in set(codes):
        catalog.forget_survey(code)


def _act(survey, change, *args, message=None, after_commit=None):
    """Run one change and commit it (then `after_commit(survey)`, if given); on refusal, show
    the survey page again with the reason."""
    code = survey.code
    try:
        change(*args)
    except BuilderError as refused:
        db.session.rollback()
        form = SurveyFieldsForm(formdata=None)
        survey = survey_or_404(code)
        form.fill_from(survey)
        return _edit_page(survey, form, error=refused.message, status=422)
    _commit(code)
    if after_commit is not None:
        after_commit(survey)
    flash(message or _("The questions were saved."))
    return redirect(url_for("builder.edit", code=code, _anchor="questions"), code=303)


def _edit_page(survey, form, schedule_form=None, error=None, status=200):
    if schedule_form is None:
        schedule_form = ScheduleForm(formdata=None)
        schedule_form.opens_at.data = survey_life.local_input_value(survey.opens_at)
        schedule_form.closes_at.data = survey_life.local_input_value(survey.closes_at)
    return render_template(
        "builder/edit.html",
        survey=survey,
        form=form,
        schedule_form=schedule_form,
        error=error,
        frozen=is_frozen(survey),
        responses=listing.response_count(survey),
        can_change=may_change_survey(current_user, survey),
        share_url=qr.survey_url(survey.code),
        villages=directory.villages(),
        audio_gaps=audio.audio_sheet(survey).gaps,
    ), status


def _question_page(survey, question, insert_at=None):
    form = QuestionForm()
    if question is not None:
        position = question.position
    else:
        position = len(survey.questions) if insert_at is None else insert_at
    earlier = [q for q in survey.questions if q.position < position]
    form.set_choices(
        listing.organizations(),
        earlier,
        select_locale(),
        current_criterion=question.criterion if question is not None else None,
    )
    error = None
    status = 200
    if request.method == "GET":
        if question is not None:
            form.fill_from(question)
        else:
            form.add_spare_rows()
    elif form.validate():
        try:
            saved = questions.save_question(
                current_user, survey, question, form.question_data(survey), position=insert_at
            )
        except BuilderError as refused:
            db.session.rollback()
            error = _mark(form, refused)
            status = 422
            survey = survey_or_404(survey.code)
        else:
            _commit(survey.code)
            flash(_("The question was saved."))
            return redirect(
                url_for("builder.edit", code=survey.code, _anchor=f"q-{saved.code}"), code=303
            )
    else:
        status = 422
    return render_template(
        "builder/question.html",
        survey=survey,
        question=question,
        form=form,
        error=error,
        frozen=is_frozen(survey),
        can_change=may_change_survey(current_user, survey),
        number=position + 1,
        after=request.args.get("after") if insert_at is not None else None,
    ), status
