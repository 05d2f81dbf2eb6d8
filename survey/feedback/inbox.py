"""The feedback inbox: listing, tagging, moving along, answering and publishing feedback items.

The status flow (docs/contract.md#feedback-statuses): new -> in_progress -> forwarded -> answered ->
closed. Forwarding (to the commune People's Committee or another body) is optional, and a step may
be skipped on the way forward (a simple question may be answered at once), but never backward. An
item becomes `answered` only with a public reply, and `answered_at` is kept from that first moment
(the rating measures the time to answer). `closed` is final: status and reply no longer change; only
the Party Committee Office (admin) may reopen a closed item, back to `answered`, to correct its
reply. Publication is separate from the flow: an answered or closed item with a reply may be
published or withdrawn at any time.
"""

from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from survey.accounts.access import READ_ALL_ROLES, feedback_item_scope
from survey.audit import trail
from survey.core.database import fold_text, folded
from survey.core.extensions import db
from survey.feedback.waiting import Deadlines, deadlines
from survey.models import FEEDBACK_STATUSES, FeedbackItem, Organization, Survey, Unit, utcnow
from survey.responses.suppression import hidden_villages, names_village, village_shown

PER_PAGE = 50
# No list is this long; a larger page number would overflow the database's OFFSET.
MAX_PAGE = 1_000_000

# Topic codes an officer may tag an item with, from the fields of the commune resolution.
TOPICS = {
    "livelihood": _l("Livelihoods and production"),
    "infrastructure": _l("Infrastructure and environment"),
    "social_policy": _l("Social policy"),
    "security": _l("Security and order"),
    "organization": _l("The organization's own work"),
    "other": _l("Other"),
}
# The filter value for items nobody has tagged yet (the demo data and new items have no topic).
UNTAGGED = "none"

STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "forwarded": _l("Forwarded"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}
NEXT_STATUSES = {
    "new": ("in_progress", "forwarded", "answered"),
    "in_progress": ("forwarded", "answered"),
    "forwarded": ("answered",),
    "answered": ("closed",),
    "closed": (),
}
PUBLISHABLE = ("answered", "closed")

assert set(STATUS_LABELS) == set(NEXT_STATUSES) == set(FEEDBACK_STATUSES)


def topic_label(code):
    """The label of a topic code; an unknown code (older data) shows as itself."""
    if code is None:
        return _l("Not tagged")
    return TOPICS.get(code, code)


def allowed_statuses(item, user):
    """The statuses `user` may move `item` to (the current one excluded)."""
    if item.status == "closed" and user.role == "admin":
        return ("answered",)
    return NEXT_STATUSES[item.status]


def days_to_answer(item):
    """Whole days from receipt to the first answer, or None while unanswered."""
    if item.answered_at is None:
        return None
    return max(0, (item.answered_at - item.received_at).days)


# --- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox list is narrowed to; every field comes from a GET parameter."""

    org: str = ""
    survey: str = ""
    unit: str = ""
    status: str = ""
    topic: str = ""
    q: str = ""
    late: str = ""
    sort: str = ""
    page: int = 1

    KEYS = ("org", "survey", "unit", "status", "topic", "q", "late", "sort")
    # The orders of the list: newest first (the default), or longest waiting first.
    SORTS = ("waiting",)

    @classmethod
    def from_args(cls, args):
        """Filters from request arguments; unknown status or topic values are dropped."""
        values = {key: (args.get(key) or "").strip()[:200] for key in cls.KEYS}
        if values["status"] not in FEEDBACK_STATUSES:
            values["status"] = ""
        values["late"] = "1" if values["late"] == "1" else ""
        if values["sort"] not in cls.SORTS:
            values["sort"] = ""
        try:
            page = min(max(1, int(args.get("page", 1))), MAX_PAGE)
        except ValueError:
            page = 1
        return cls(**values, page=page)

    def query_args(self, **overrides):
        """The non-empty filters as URL arguments (for links that keep the list as it is)."""
        values = {key: getattr(self, key) for key in self.KEYS} | overrides
        if self.page > 1 and "page" not in overrides:
            values["page"] = self.page
        return {key: value for key, value in values.items() if value}

    @property
    def active(self):
        """Whether any filter narrows the list (the order narrows nothing)."""
        return any(getattr(self, key) for key in self.KEYS if key != "sort")


@dataclass
class InboxPage:
    """One page of the inbox, the counts per status and the choices of the filters."""

    items: list
    total: int
    page: int
    pages: int
    status_counts: dict = field(default_factory=dict)
    overdue_count: int = 0
    deadlines: Deadlines | None = None
    organizations: list = field(default_factory=list)
    surveys: list = field(default_factory=list)
    units: list = field(default_factory=list)
    hidden_villages: dict = field(default_factory=dict)

    def village(self, item):
        """The name of the item's village, or None where its survey's results hide it."""
        return item.unit.name if names_village(item, self.hidden_villages) else None

    def waited(self, item):
        """Whole days the item has waited for its answer (until it came, or until now)."""
        return self.deadlines.waited(item)

    def overdue(self, item):
        """Whether the item is unanswered past its answer window."""
        return self.deadlines.overdue(item)


def _scope(user):
    """The condition on FeedbackItem for the items `user` may read."""
    return feedback_item_scope(user)


def _conditions(user, filters, hidden):
    """WHERE conditions for `filters` within the user's scope, the status filter left out;
    `hidden` is hidden_villages() of the surveys in scope (the village filter never finds an
    item whose village is hidden, which would name it)."""
    conditions = [_scope(user)]
    if filters.org and user.role in READ_ALL_ROLES:
        conditions.append(
            FeedbackItem.organization_id.in_(
                sa.select(Organization.id).where(Organization.code == filters.org)
            )
        )
    if filters.survey:
        conditions.append(
            FeedbackItem.survey_id.in_(sa.select(Survey.id).where(Survey.code == filters.survey))
        )
    if filters.unit:
        conditions.append(
            FeedbackItem.unit_id.in_(sa.select(Unit.id).where(Unit.code == filters.unit))
        )
        conditions.append(village_shown(FeedbackItem.survey_id, FeedbackItem.unit_id, hidden))
    if filters.topic == UNTAGGED:
        conditions.append(FeedbackItem.topic.is_(None))
    elif filters.topic:
        conditions.append(FeedbackItem.topic == filters.topic)
    if filters.q:
        conditions.append(folded(FeedbackItem.text).contains(fold_text(filters.q), autoescape=True))
    return conditions


def inbox_page(user, filters, per_page=PER_PAGE):
    """The items `user` may read that match `filters`, newest first, one page of them."""
    surveys = _surveys(user)
    # Which villages each survey hides: of every survey in scope for the village filter,
    # else only of the surveys of the items shown (below).
    hidden = hidden_villages(s.id for s in surveys) if filters.unit else None
    conditions = _conditions(user, filters, hidden)
    due = deadlines(_scope(user))
    late = due.overdue_condition()
    counts = dict(
        db.session.execute(
            sa.select(FeedbackItem.status, sa.func.count())
            .where(*conditions)
            .group_by(FeedbackItem.status)
        ).all()
    )
    overdue_count = db.session.scalar(sa.select(sa.func.count()).where(*conditions, late))
    if filters.status:
        conditions.append(FeedbackItem.status == filters.status)
    if filters.late:
        conditions.append(late)
    query = (
        sa.select(FeedbackItem)
        .where(*conditions)
        .options(
            sa.orm.joinedload(FeedbackItem.organization),
            sa.orm.joinedload(FeedbackItem.unit),
            sa.orm.joinedload(FeedbackItem.survey),
        )
        .order_by(*_order(filters.sort))
    )
    pagination = db.paginate(query, page=filters.page, per_page=per_page, error_out=False)
    if not pagination.items and pagination.pages and filters.page > pagination.pages:
        # A page past the end (an old bookmark) shows the last page rather than nothing.
        pagination = db.paginate(query, page=pagination.pages, per_page=per_page)
    if hidden is None:
        hidden = hidden_villages({item.survey_id for item in pagination.items})
    return InboxPage(
        items=list(pagination.items),
        total=pagination.total or 0,
        page=pagination.page,
        pages=pagination.pages or 1,
        status_counts={status: counts.get(status, 0) for status in FEEDBACK_STATUSES},
        overdue_count=overdue_count,
        deadlines=due,
        organizations=_organizations(user),
        surveys=surveys,
        units=db.session.scalars(sa.select(Unit).order_by(Unit.position, Unit.name)).all(),
        hidden_villages=hidden,
    )


def _order(sort):
    """Newest first; or, sorted by waiting, the unanswered first, the longest waiting first."""
    if sort == "waiting":
        answered_last = sa.case((FeedbackItem.answered_at.is_(None), 0), else_=1)
        return (answered_last, FeedbackItem.received_at.asc(), FeedbackItem.id.asc())
    return (FeedbackItem.received_at.desc(), FeedbackItem.id.desc())


def _organizations(user):
    if user.role not in READ_ALL_ROLES:
        return []
    return db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.name)
    ).all()


def _surveys(user):
    """The surveys that brought feedback the user may read, newest year first."""
    with_items = sa.select(FeedbackItem.survey_id).where(_scope(user)).distinct()
    return db.session.scalars(
        sa.select(Survey).where(Survey.id.in_(with_items)).order_by(Survey.year.desc(), Survey.code)
    ).all()


# --- changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackChange:
    """What an officer asked for on the item page."""

    topic: str | None
    status: str
    forwarded_to: str
    public_reply: str
    published: bool


# Why a change is refused, and the form field it is shown at (the form words the message).
REFUSALS = {
    "unknown topic": "topic",
    "status not allowed": "status",
    "closed is final": "status",
    "forward needs a recipient": "forwarded_to",
    "answer needs a reply": "public_reply",
    "reply frozen when closed": "public_reply",
    "publish needs an answer": "published",
    "publish needs a reply": "published",
}


def refusals(item, user, change):
    """The reasons (keys of REFUSALS) that stop `change` on `item` by `user`; empty when fine."""
    reasons = []
    if change.topic is not None and change.topic not in TOPICS and change.topic != item.topic:
        reasons.append("unknown topic")
    if change.status != item.status:
        if item.status == "closed" and change.status not in allowed_statuses(item, user):
            reasons.append("closed is final")
        elif change.status not in allowed_statuses(item, user):
            reasons.append("status not allowed")
    if change.status == "forwarded" and not change.forwarded_to.strip():
        reasons.append("forward needs a recipient")
    reply = change.public_reply.strip()
    if change.status in PUBLISHABLE and not reply:
        reasons.append("answer needs a reply")
    # A closed item that stays closed keeps its reply (reopening to "answered" frees it).
    if item.status == "closed" and change.status == "closed" and reply != item.public_reply:
        reasons.append("reply frozen when closed")
    if change.published:
        if change.status not in PUBLISHABLE:
            reasons.append("publish needs an answer")
        elif not reply:
            reasons.append("publish needs a reply")
    # Keep one reason per field, the first one found.
    seen, kept = set(), []
    for reason in reasons:
        if REFUSALS[reason] not in seen:
            seen.add(REFUSALS[reason])
            kept.append(reason)
    return kept


def with_implied_answer(item, user, change):
    """`change`, with the status moved to answered when it publishes a reply and leaves the
    status as it was: publishing a reply answers the item. An explicit other step (say,
    forwarding) is the officer's choice, and still refused with publication."""
    if (
        change.published
        and change.public_reply.strip()
        and change.status == item.status
        and change.status not in PUBLISHABLE
        and "answered" in allowed_statuses(item, user)
    ):
        return replace(change, status="answered")
    return change


def _state(item):
    return {
        "topic": item.topic,
        "status": item.status,
        "forwarded_to": item.forwarded_to,
        "forwarded_at": item.forwarded_at,
        "answered_at": item.answered_at,
        "closed_at": item.closed_at,
        "public_reply": item.public_reply,
        "published": item.published,
    }


def apply_change(item, user, change, now=None):
    """Apply an accepted `change` to `item`, with one audit entry per kind of change.

    Returns the audit actions recorded (empty when nothing changed). Call `refusals` first.
    """
    now = now or utcnow()
    before = _state(item)
    target = f"feedback:{item.id}"
    actions = []

    if change.topic != item.topic:
        item.topic = change.topic
        actions.append("feedback.topic")
        trail.record(
            "feedback.topic",
            target,
            before={"topic": before["topic"]},
            after={"topic": item.topic},
            user=user,
        )

    reply = change.public_reply.strip()
    if reply != item.public_reply:
        item.public_reply = reply
        trail.record(
            "feedback.reply",
            target,
            before={"public_reply": before["public_reply"]},
            after={"public_reply": reply},
            user=user,
        )
        actions.append("feedback.reply")

    forwarded_to = change.forwarded_to.strip()
    if change.status != item.status or (
        item.status == "forwarded" and forwarded_to != item.forwarded_to
    ):
        _move(item, change.status, forwarded_to, now)
        keys = ("status", "forwarded_to", "forwarded_at", "answered_at", "closed_at")
        trail.record(
            "feedback.status",
            target,
            before={k: before[k] for k in keys},
            after={k: getattr(item, k) for k in keys},
            user=user,
        )
        actions.append("feedback.status")

    if change.published != item.published:
        item.published = change.published
        action = "feedback.publish" if change.published else "feedback.unpublish"
        trail.record(
            action,
            target,
            before={"published": before["published"]},
            after={"published": item.published},
            user=user,
        )
        actions.append(action)
    return actions


def _move(item, status, forwarded_to, now):
    """Set the status and the timestamps that go with it."""
    if status == "forwarded":
        if item.status != "forwarded":
            item.forwarded_at = now
        item.forwarded_to = forwarded_to
    if status == "answered" and item.answered_at is None:
        item.answered_at = now
    if status == "closed":
        item.closed_at = now
    elif item.status == "closed":  # reopened by the office
        item.closed_at = None
    item.status = status


def village_of(item):
    """The name of a feedback item's village, or None where its survey's results hide it."""
    if item.unit is None or item.survey_id is None:
        return None
    return item.unit.name if names_village(item, hidden_villages([item.survey_id])) else None


def item_for(item_id):
    """The feedback item with this id (its organization, village and survey loaded), or None."""
    return db.session.get(
        FeedbackItem,
        item_id,
        options=[
            sa.orm.joinedload(FeedbackItem.organization),
            sa.orm.joinedload(FeedbackItem.unit),
            sa.orm.joinedload(FeedbackItem.survey),
        ],
    )
