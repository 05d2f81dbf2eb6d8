"""Dialogues and voter contacts in the workspace: the year's meetings, a meeting with the issues
people raised, and each issue answered on the spot or made a task (survey.dialogues).

The office manages every organization's meetings, an organization's officer its own; the
committee and the inspection committee read them all."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    READ_ALL_ROLES,
    allow,
    may_change_organization,
    may_read_organization,
    roles_required,
)
from survey.commune.directory import organizations, villages
from survey.core.extensions import db
from survey.core.local_time import current_year
from survey.dialogues.counts import dialogue_counts
from survey.dialogues.forms import AnswerForm, DialogueForm, IssueForm, TaskForm
from survey.dialogues.issues import (
    TITLE_LENGTH,
    add_issue,
    answer_issue,
    issue_of,
    issue_rows,
    make_task,
    programmes_for,
)
from survey.dialogues.meetings import (
    DIALOGUE_KIND_NAMES,
    DialogueRefused,
    deletable,
    delete_meeting,
    dialogue_by_id,
    meeting_years,
    save_meeting,
    valid_year,
    year_meetings,
)
from survey.models import Programme
from survey.programmes.task_steps import short_title

bp = Blueprint("dialogues", __name__, url_prefix="/manage/dialogues")

REFUSED = {
    "held in the future": _l(
        "A meeting cannot be marked held on a day still to come: check the day, or leave it "
        "planned."
    ),
    "year": _l("The day must fall between the year 2000 and next year."),
    "not a party": _l("Choose one of this year's programmes that the organization is a party to."),
    "already a task": _l("This issue is a task already."),
    "due out of range": _l(
        "The due date must fall on or after the meeting's day, and within five years."
    ),
    "held or has issues": _l("Only a meeting still planned and without issues can be deleted."),
}


def _meeting(dialogue_id, change=False):
    """The meeting `dialogue_id` if this officer may read it (or change it, with `change`)."""
    dialogue = dialogue_by_id(dialogue_id)
    if dialogue is None:
        abort(404)
    allow(may_read_organization(current_user, dialogue.organization_id))
    if change:
        allow(may_change_organization(current_user, dialogue.organization_id))
    return dialogue


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The year's meetings by date, and each organization's counts for the year."""
    year = request.args.get("year", type=int) or current_year()
    if not valid_year(year):
        abort(404)
    own = None if current_user.role in READ_ALL_ROLES else current_user.organization_id
    counts = dialogue_counts(year)
    names = {o.id: o.name for o in organizations() if own is None or o.id == own}
    return render_template(
        "dialogues/index.html",
        year=year,
        years=sorted(set(meeting_years()) | {year}),
        meetings=year_meetings(year, own),
        counts=[(name, counts[org_id]) for org_id, name in names.items() if org_id in counts],
        may_plan=current_user.role in ORG_CHANGE_ROLES,
    )


def _fill(form, dialogue):
    form.organization.data = dialogue.organization.code
    form.kind.data = dialogue.kind
    form.title.data = dialogue.title
    form.held_on.data = dialogue.held_on.strftime("%d/%m/%Y")
    form.unit.data = dialogue.unit.code if dialogue.unit else ""
    form.organizers.data = dialogue.organizers
    form.held.data = dialogue.held
    form.attending.data = "" if dialogue.attending is None else str(dialogue.attending)
    form.leaders_present.data = dialogue.leaders_present
    form.note.data = dialogue.note


def _values(form, choices):
    organization = next(o for o in choices if o.code == form.organization.data)
    unit = next((u for u in villages() if u.code == form.unit.data), None)
    return {
        "organization": organization,
        "kind": form.kind.data,
        "title": form.title.data.strip(),
        "held_on": form.held_on.day,
        "held": form.held.data,
        "unit": unit,
        "organizers": (form.organizers.data or "").strip(),
        "leaders_present": (form.leaders_present.data or "").strip(),
        "attending": form.attending.count,
        "note": (form.note.data or "").strip(),
    }


def _meeting_form(dialogue):
    """Plan a meeting (`dialogue` None) or change one: the page, or the redirect once saved."""
    choices = [o for o in organizations() if may_change_organization(current_user, o.id)]
    form = DialogueForm(choices, villages())
    if not form.is_submitted():
        if dialogue is not None:
            _fill(form, dialogue)
        else:
            form.organization.data = request.args.get("org")
    elif form.validate():
        try:
            dialogue = save_meeting(dialogue, _values(form, choices))
            db.session.commit()
        except DialogueRefused as refused:
            db.session.rollback()
            form[refused.field].errors.append(REFUSED[refused.reason])
        else:
            flash(_("The meeting was saved."))
            return redirect(url_for("dialogues.meeting", dialogue_id=dialogue.id))
    status = 422 if form.is_submitted() else 200
    return render_template("dialogues/edit.html", form=form, dialogue=dialogue), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def new():
    """Plan a dialogue or voter contact for a day."""
    return _meeting_form(None)


@bp.route("/<int:dialogue_id>/edit", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def edit(dialogue_id):
    """Change a meeting, or mark it held with the people attending and the leaders present."""
    return _meeting_form(_meeting(dialogue_id, change=True))


def _meeting_page(dialogue, issue_form=None, answering=None, status=200):
    """The meeting with its issues; `answering` = (issue id, its rejected answer form)."""
    may_change = may_change_organization(current_user, dialogue.organization_id)
    answers = {
        row.id: AnswerForm(formdata=None, data={"answer": row.answer})
        for row in issue_rows(dialogue)
    }
    if answering is not None:
        answers[answering[0]] = answering[1]
    return render_template(
        "dialogues/meeting.html",
        dialogue=dialogue,
        issues=issue_rows(dialogue),
        issue_form=issue_form or IssueForm(formdata=None),
        answers=answers,
        may_change=may_change,
        deletable=deletable(dialogue),
        kind_names=DIALOGUE_KIND_NAMES,
    ), status


@bp.get("/<int:dialogue_id>")
@roles_required(*ORG_READ_ROLES)
def meeting(dialogue_id):
    """One meeting: when, where, who attended, and the issues raised with what came of them."""
    return _meeting_page(_meeting(dialogue_id))


@bp.post("/<int:dialogue_id>/issues")
@roles_required(*ORG_CHANGE_ROLES)
def raise_issue(dialogue_id):
    """Record an issue people raised at the meeting."""
    dialogue = _meeting(dialogue_id, change=True)
    form = IssueForm()
    if not form.validate():
        return _meeting_page(dialogue, issue_form=form, status=422)
    add_issue(dialogue, form.text.data)
    db.session.commit()
    flash(_("The issue was recorded."))
    return redirect(url_for("dialogues.meeting", dialogue_id=dialogue.id) + "#issues")


@bp.post("/<int:dialogue_id>/issues/<int:issue_id>/answer")
@roles_required(*ORG_CHANGE_ROLES)
def answer(dialogue_id, issue_id):
    """Write the answer given on the spot to an issue."""
    dialogue = _meeting(dialogue_id, change=True)
    issue = issue_of(dialogue, issue_id) or abort(404)
    form = AnswerForm()
    if not form.validate():
        return _meeting_page(dialogue, answering=(issue.id, form), status=422)
    answer_issue(issue, form.answer.data)
    db.session.commit()
    flash(_("The answer was saved."))
    return redirect(url_for("dialogues.meeting", dialogue_id=dialogue.id) + f"#issue-{issue.id}")


@bp.route("/<int:dialogue_id>/issues/<int:issue_id>/task", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def task(dialogue_id, issue_id):
    """Make an issue a task of one of the year's coordination programmes."""
    dialogue = _meeting(dialogue_id, change=True)
    issue = issue_of(dialogue, issue_id) or abort(404)
    programmes = programmes_for(dialogue)
    form = TaskForm(programmes)
    error = REFUSED["already a task"] if issue.task_id is not None else None
    if not form.is_submitted():
        form.title.data = short_title(issue.text, TITLE_LENGTH)
    elif error is None and form.validate():
        programme = db.session.get(Programme, int(form.programme.data))
        try:
            make_task(issue, programme, form.title.data, form.owner.data, form.due_on.day)
            db.session.commit()
        except DialogueRefused as refused:
            db.session.rollback()
            if refused.field:
                form[refused.field].errors.append(REFUSED[refused.reason])
            else:
                error = REFUSED[refused.reason]
        else:
            flash(_("The issue is now a task of the programme."))
            return redirect(
                url_for("dialogues.meeting", dialogue_id=dialogue.id) + f"#issue-{issue.id}"
            )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "dialogues/task.html",
        dialogue=dialogue,
        issue=issue,
        form=form,
        programmes=programmes,
        error=error,
    ), status


@bp.route("/<int:dialogue_id>/delete", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def delete(dialogue_id):
    """Delete a planned meeting without issues, once confirmed."""
    dialogue = _meeting(dialogue_id, change=True)
    error = None if deletable(dialogue) else REFUSED["held or has issues"]
    if request.method == "POST" and error is None:
        year = dialogue.held_on.year
        delete_meeting(dialogue)
        db.session.commit()
        flash(_("The meeting was deleted."))
        return redirect(url_for("dialogues.index", year=year))
    status = 409 if error and request.method == "POST" else 200
    return render_template("dialogues/delete.html", dialogue=dialogue, error=error), status
