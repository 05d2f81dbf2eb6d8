"""The feedback inbox: what members and citizens wrote to each organization, and the replies."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    READ_ALL_ROLES,
    allow,
    may_change_organization,
    may_read_organization,
    roles_required,
)
from survey.core.extensions import db
from survey.feedback import follow_up
from survey.feedback.forms import (
    FOLLOW_UP_MESSAGES,
    AttachTaskForm,
    FeedbackItemForm,
    TaskFromFeedbackForm,
)
from survey.feedback.inbox import (
    STATUS_LABELS,
    TOPICS,
    UNTAGGED,
    InboxFilters,
    apply_change,
    days_to_answer,
    inbox_page,
    item_for,
    topic_label,
    village_of,
)
from survey.feedback.waiting import item_deadlines

bp = Blueprint("inbox", __name__, url_prefix="/manage/feedback")


@bp.app_context_processor
def feedback_labels():
    """Status and topic labels, and the days-to-answer helper, for the feedback templates."""
    return {
        "feedback_status_labels": STATUS_LABELS,
        "feedback_topic_label": topic_label,
        "feedback_days_to_answer": days_to_answer,
    }


@bp.get("/")
@roles_required(*ORG_READ_ROLES)
def index():
    """The feedback items this officer may read, filtered by GET parameters, newest first."""
    filters = InboxFilters.from_args(request.args)
    page = inbox_page(current_user, filters)
    return render_template(
        "inbox/index.html",
        page=page,
        filters=filters,
        topics=TOPICS,
        untagged=UNTAGGED,
        reads_all=current_user.role in READ_ALL_ROLES,
    )


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def item(item_id):
    """One feedback item: read it; tag, move along, answer and publish it (owners only)."""
    feedback = item_for(item_id)
    if feedback is None:
        abort(404)
    allow(may_read_organization(current_user, feedback.organization_id))
    may_change = may_change_organization(current_user, feedback.organization_id)
    back = InboxFilters.from_args(request.args).query_args()
    form = FeedbackItemForm(feedback, current_user) if may_change else None
    status = 200
    if request.method == "POST":
        allow(may_change)
        if form.validate_on_submit():
            was = feedback.status
            change = form.change()
            actions = apply_change(feedback, current_user, change)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.form_errors.append(
                    _("Someone changed this item at the same time. Reload it and try again.")
                )
            else:
                if change.status == "answered" and form.status.data == was != "answered":
                    flash(_("Saved. The reply is published, so the item is now answered."))
                else:
                    flash(_("Saved.") if actions else _("Nothing was changed."))
                return redirect(url_for("inbox.item", item_id=item_id, **back))
        status = 422
    return _item_page(feedback, back, form=form, status=status)


def _item_page(feedback, back, form=None, new_task=None, attach=None, status=200):
    """The item page; the forms the officer did not send are fresh."""
    may_change = may_change_organization(current_user, feedback.organization_id)
    if may_change and form is None:
        form = FeedbackItemForm(feedback, current_user, formdata=None)
    if may_change and feedback.task_id is None:
        new_task = new_task or TaskFromFeedbackForm(feedback, formdata=None)
        attach = attach or AttachTaskForm(feedback, formdata=None)
    return render_template(
        "inbox/item.html",
        item=feedback,
        village=village_of(feedback),
        deadlines=item_deadlines(),
        form=form,
        new_task=new_task,
        attach=attach,
        follow_up=follow_up.follow_ups([feedback.task_id]).get(feedback.task_id),
        back=back,
        topics=TOPICS,
    ), status


def _item_to_change(item_id):
    feedback = item_for(item_id)
    if feedback is None:
        abort(404)
    allow(may_change_organization(current_user, feedback.organization_id))
    return feedback


def _saved(feedback, message):
    db.session.commit()
    flash(message)
    back = InboxFilters.from_args(request.args).query_args()
    return redirect(url_for("inbox.item", item_id=feedback.id, **back) + "#task")


@bp.post("/<int:item_id>/task")
@roles_required(*ORG_CHANGE_ROLES)
def task_new(item_id):
    """Make a task of the item's organization from the item, and link them."""
    feedback = _item_to_change(item_id)
    form = TaskFromFeedbackForm(feedback)
    if form.validate_on_submit():
        try:
            task = follow_up.create_task(
                feedback,
                programme_id=form.programme.data,
                title=form.title.data,
                owner=form.owner.data,
                due_on=form.due_on,
                user=current_user,
            )
        except follow_up.FollowUpRefused as refused:
            form.form_errors.append(FOLLOW_UP_MESSAGES[refused.reason])
        else:
            return _saved(feedback, _("The task “%(title)s” was made.", title=task.title))
    back = InboxFilters.from_args(request.args).query_args()
    return _item_page(feedback, back, new_task=form, status=422)


@bp.post("/<int:item_id>/task/attach")
@roles_required(*ORG_CHANGE_ROLES)
def task_attach(item_id):
    """Link the item to one of its organization's open tasks."""
    feedback = _item_to_change(item_id)
    form = AttachTaskForm(feedback)
    if form.validate_on_submit():
        try:
            task = follow_up.attach_task(feedback, form.task.data, current_user)
        except follow_up.FollowUpRefused as refused:
            form.form_errors.append(FOLLOW_UP_MESSAGES[refused.reason])
        else:
            return _saved(feedback, _("The feedback is attached to “%(title)s”.", title=task.title))
    back = InboxFilters.from_args(request.args).query_args()
    return _item_page(feedback, back, attach=form, status=422)


@bp.post("/<int:item_id>/task/detach")
@roles_required(*ORG_CHANGE_ROLES)
def task_detach(item_id):
    """Unlink the item from its task; the task itself stays."""
    feedback = _item_to_change(item_id)
    try:
        task = follow_up.detach_task(feedback, current_user)
    except follow_up.FollowUpRefused:
        flash(_("This feedback has no task."))
        return redirect(url_for("inbox.item", item_id=feedback.id))
    return _saved(
        feedback, _("The feedback is no longer attached to “%(title)s”.", title=task.title)
    )
