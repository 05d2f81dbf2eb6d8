"""The coordination programmes and their tasks: the year's programmes, a programme's tasks and
timeline, a task with its progress notes and state; the office manages programmes and every
task, an organization's officer the tasks of its own organization in the programmes it takes
part in; the committee and the inspection committee read."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from survey.accounts.access import (
    ORG_READ_ROLES,
    allow,
    may_add_task,
    may_change_task,
    may_read_programme,
    roles_required,
)
from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.models.vocabulary import TASK_STATUS_NAMES
from survey.programmes import listing, timeline
from survey.programmes.forms import (
    DeleteForm,
    NoteForm,
    ProgrammeForm,
    StepForm,
    TaskForm,
    day_or_none,
    shown_day,
)
from survey.programmes.programme_changes import (
    add_programme,
    delete_programme,
    update_programme,
    valid_year,
)
from survey.programmes.task_steps import (
    Refused,
    add_note,
    add_task,
    allowed_steps,
    take_step,
    update_task,
)

bp = Blueprint("programmes", __name__, url_prefix="/manage")

GROUP_NAMES = {
    "overdue": _l("Overdue"),
    "in_progress": _l("Under way"),
    "planned": _l("Not started"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
DUE, DONE = _l("Tasks due"), _l("Tasks done")


@bp.app_context_processor
def task_words():
    """The names of a task's states and of the programme page's groups, for the templates."""
    return {"task_status_names": TASK_STATUS_NAMES, "task_group_names": GROUP_NAMES}


def _programme_or_404(programme_id):
    programme = listing.programme_for(programme_id)
    if programme is None:
        abort(404)
    allow(may_read_programme(current_user, programme))
    return programme


def _task_or_404(task_id):
    task = listing.task_for(task_id)
    if task is None:
        abort(404)
    allow(may_read_programme(current_user, task.programme))
    return task


def _committed(form, error_field="title"):
    """Commit; on a unique clash another request won (the same title meanwhile), put it on
    the form instead. Whether the commit held."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        getattr(form, error_field).errors.append(
            _("Someone saved the same at the same time. Check and save again.")
        )
        return False
    return True


@bp.get("/programmes/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The year's programmes this officer may read, each with its parties, theme, tasks by
    state and the overdue ones."""
    year = request.args.get("year", default=current_year(), type=int)
    if not valid_year(year):
        abort(404)
    today = listing.commune_today()
    return render_template(
        "programmes/index.html",
        year=year,
        years=listing.programme_years(current_user),
        rows=listing.programme_rows(current_user, year, today),
    )


@bp.route("/programmes/new", methods=["GET", "POST"])
@roles_required("admin")
def new():
    """A new programme (the office)."""
    form = ProgrammeForm(listing.organization_choices())
    if form.validate_on_submit():
        try:
            programme = add_programme(form.fields())
        except Refused as refused:
            form.refuse(refused)
        else:
            if _committed(form):
                flash(_("The programme was added. Now add its tasks."))
                return redirect(url_for("programmes.programme", programme_id=programme.id))
    status = 422 if request.method == "POST" else 200
    return render_template("programmes/programme_form.html", form=form, programme=None), status


@bp.get("/programmes/<int:programme_id>")
@roles_required(*ORG_READ_ROLES)
def programme(programme_id):
    """A programme: its parties and period, its tasks by state (overdue first) and its tasks
    due and done per month."""
    programme = _programme_or_404(programme_id)
    today = listing.commune_today()
    months = timeline.months_due_and_done(programme.tasks)
    return render_template(
        "programmes/programme.html",
        programme=programme,
        parties=listing.sorted_parties(programme),
        period=listing.period_of(programme.tasks),
        groups=listing.task_groups(programme, today),
        months=months,
        timeline_chart=timeline.chart_spec(months, DUE, DONE),
        may_add=may_add_task(current_user, programme),
        today=today,
    )


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def edit(programme_id):
    """Change a programme (the office); an empty one may be deleted from here."""
    programme = _programme_or_404(programme_id)
    form = ProgrammeForm(listing.organization_choices(), programme)
    if form.validate_on_submit():
        try:
            changed = update_programme(programme, form.fields())
        except Refused as refused:
            db.session.rollback()
            form.refuse(refused)
        else:
            if _committed(form):
                flash(_("Saved.") if changed else _("Nothing was changed."))
                return redirect(url_for("programmes.programme", programme_id=programme.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programmes/programme_form.html", form=form, programme=programme, delete_form=DeleteForm()
    ), status


@bp.post("/programmes/<int:programme_id>/delete")
@roles_required("admin")
def delete(programme_id):
    """Delete a programme that has no task, once confirmed (the office)."""
    programme = _programme_or_404(programme_id)
    delete_form = DeleteForm()
    if delete_form.validate_on_submit():
        try:
            delete_programme(programme, bool(delete_form.confirm.data))
        except Refused as refused:
            delete_form.refuse(refused)
        else:
            db.session.commit()
            flash(_("The programme was deleted."))
            return redirect(url_for("programmes.index", year=programme.year))
    form = ProgrammeForm(listing.organization_choices(), programme, formdata=None)
    return render_template(
        "programmes/programme_form.html", form=form, programme=programme, delete_form=delete_form
    ), 422


def _task_choices(programme):
    """The organizations a task of `programme` may be given to by this officer."""
    choices = listing.party_choices(programme)
    if current_user.role != "admin":
        choices = [(i, name) for i, name in choices if i == current_user.organization_id]
    return choices


@bp.route("/programmes/<int:programme_id>/tasks/new", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def new_task(programme_id):
    """A new task of the programme: the office for any party, an officer for its own."""
    programme = _programme_or_404(programme_id)
    allow(may_add_task(current_user, programme))
    form = TaskForm(_task_choices(programme))
    if form.validate_on_submit():
        today = listing.commune_today()
        try:
            task = add_task(programme, current_user, form.fields(), today)
        except Refused as refused:
            form.refuse(refused)
        else:
            db.session.commit()
            flash(_("The task was added."))
            return redirect(url_for("programmes.task", task_id=task.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programmes/task_form.html", form=form, programme=programme, task=None
    ), status


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def edit_task(task_id):
    """Change a task: the office, or the officer of its organization."""
    task = _task_or_404(task_id)
    allow(may_change_task(current_user, task))
    form = TaskForm(_task_choices(task.programme), task)
    if form.validate_on_submit():
        try:
            changed = update_task(task, current_user, form.fields(), listing.commune_today())
        except Refused as refused:
            db.session.rollback()
            form.refuse(refused)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("programmes.task", task_id=task.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "programmes/task_form.html", form=form, programme=task.programme, task=task
    ), status


def _task_page(task, note_form=None, step_form=None, status=200):
    may_change = may_change_task(current_user, task)
    today = listing.commune_today()
    if may_change and note_form is None:
        note_form = NoteForm(formdata=None, data={"written_on": shown_day(today)})
    if may_change and step_form is None:
        step_form = StepForm(formdata=None, data={"done_on": shown_day(today)})
    return render_template(
        "programmes/task.html",
        task=task,
        overdue=listing.is_overdue(task, today),
        today=today,
        notes=listing.task_notes(task),
        feedback=listing.linked_feedback(task, current_user),
        may_change=may_change,
        steps=allowed_steps(task, current_user) if may_change else [],
        note_form=note_form,
        step_form=step_form,
    ), status


@bp.get("/tasks/<int:task_id>")
@roles_required(*ORG_READ_ROLES)
def task(task_id):
    """A task: who does what by when, its state, progress notes, evidence and the feedback it
    answers; for those who change it, the forms of a note and of its state."""
    return _task_page(_task_or_404(task_id))


@bp.post("/tasks/<int:task_id>/notes")
@roles_required(*ORG_READ_ROLES)
def note(task_id):
    """Add a dated progress note to a task."""
    task = _task_or_404(task_id)
    allow(may_change_task(current_user, task))
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(
                task,
                current_user,
                day_or_none(form.written_on),
                form.text.data,
                listing.commune_today(),
            )
        except Refused as refused:
            form.refuse(refused)
        else:
            db.session.commit()
            flash(_("The progress note was added."))
            return redirect(url_for("programmes.task", task_id=task.id) + "#notes")
    return _task_page(task, note_form=form, status=422)


STEP_DONE = {
    "start": _l("The task is now under way."),
    "finish": _l("The task is marked done."),
    "cancel": _l("The task is cancelled."),
    "reopen": _l("The task is open again."),
}


@bp.post("/tasks/<int:task_id>/state")
@roles_required(*ORG_READ_ROLES)
def state(task_id):
    """Move a task's state: start, finish (with its day), cancel (with its reason), reopen
    (the office, confirmed)."""
    task = _task_or_404(task_id)
    allow(may_change_task(current_user, task))
    form = StepForm()
    step = request.form.get("step", "")
    if form.validate_on_submit():
        try:
            take_step(
                task,
                current_user,
                step,
                listing.commune_today(),
                day=day_or_none(form.done_on),
                reason=form.reason.data,
                confirmed=bool(form.confirm.data),
            )
        except Refused as refused:
            db.session.rollback()
            form.refuse(refused)
        else:
            db.session.commit()
            flash(str(STEP_DONE[step]))
            return redirect(url_for("programmes.task", task_id=task.id))
    return _task_page(task, step_form=form, status=422)
