"""Dialogues and voter contacts (Nghị quyết III.5): a meeting is planned for a day by its
organization, later marked held with the people attending and the commune leaders present.

Every change is audited (`dialogue.create`, `dialogue.update`, `dialogue.delete`) with the
organization and the meeting's title, so the audit log says it in words. Only a meeting still
planned and without issues may be deleted: a held meeting, or one whose issues were recorded,
is the record the rating reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from survey.audit import trail
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME, current_year
from survey.models import Dialogue, DialogueIssue, Organization, Unit

DIALOGUE_KIND_NAMES = {"dialogue": _l("Dialogue"), "voter_contact": _l("Voter contact")}
YEAR_MIN = 2000
# The fields a meeting's form sets; `organization` and `unit` are objects (unit None:
# commune-wide).
MEETING_FIELDS = (
    "organization",
    "kind",
    "title",
    "held_on",
    "held",
    "unit",
    "organizers",
    "leaders_present",
    "attending",
    "note",
)


class DialogueRefused(ValueError):
    """A change refused; `field` names the form field to blame (None: the page)."""

    def __init__(self, field, reason):
        super().__init__(reason)
        self.field = field
        self.reason = reason


def valid_year(year: int) -> bool:
    """Whether meetings may be kept for `year`: from 2000 to next year."""
    return YEAR_MIN <= year <= current_year() + 1


def today() -> date:
    """The commune's day now."""
    return datetime.now(COMMUNE_TIME).date()


def dialogue_by_id(dialogue_id: int) -> Dialogue | None:
    """The meeting with this id, or None."""
    return db.session.get(Dialogue, dialogue_id)


def _year_of(column):
    return sa.extract("year", column)


def meeting_years() -> list[int]:
    """The years that hold a meeting, and this year, the latest last."""
    years = set(db.session.scalars(sa.select(_year_of(Dialogue.held_on)).distinct()))
    return sorted({int(y) for y in years if y is not None} | {current_year()})


@dataclass(frozen=True)
class MeetingRow:
    """One meeting of the year's list, with its issues counted."""

    id: int
    held_on: date
    kind: str
    title: str
    organization: str
    organization_id: int
    village: str | None  # None: commune-wide
    held: bool
    attending: int | None
    issues: int
    answered: int
    made_tasks: int

    @property
    def kind_label(self) -> str:
        return str(DIALOGUE_KIND_NAMES.get(self.kind, self.kind))


def year_meetings(year: int, organization_id: int | None = None) -> list[MeetingRow]:
    """The meetings of `year` by date (of one organization when given), issues counted."""
    issues = (
        sa.select(
            DialogueIssue.dialogue_id,
            sa.func.count().label("issues"),
            sa.func.count().filter(DialogueIssue.answer != "").label("answered"),
            sa.func.count().filter(DialogueIssue.task_id.is_not(None)).label("made_tasks"),
        )
        .group_by(DialogueIssue.dialogue_id)
        .subquery()
    )
    query = (
        sa.select(
            Dialogue,
            Organization.name,
            Unit.name,
            issues.c.issues,
            issues.c.answered,
            issues.c.made_tasks,
        )
        .join(Organization, Organization.id == Dialogue.organization_id)
        .outerjoin(Unit, Unit.id == Dialogue.unit_id)
        .outerjoin(issues, issues.c.dialogue_id == Dialogue.id)
        .where(Dialogue.held_on >= date(year, 1, 1), Dialogue.held_on <= date(year, 12, 31))
        .order_by(Dialogue.held_on, Dialogue.id)
    )
    if organization_id is not None:
        query = query.where(Dialogue.organization_id == organization_id)
    return [
        MeetingRow(
            id=d.id,
            held_on=d.held_on,
            kind=d.kind,
            title=d.title,
            organization=org_name,
            organization_id=d.organization_id,
            village=village,
            held=d.held,
            attending=d.attending,
            issues=int(n or 0),
            answered=int(answered or 0),
            made_tasks=int(tasks or 0),
        )
        for d, org_name, village, n, answered, tasks in db.session.execute(query).all()
    ]


def audit_values(dialogue: Dialogue) -> dict:
    """A meeting's fields as the audit log keeps them (codes, ISO days)."""
    return {
        "organization": dialogue.organization.code if dialogue.organization else None,
        "meeting_kind": dialogue.kind,
        "title": dialogue.title,
        "held_on": dialogue.held_on,
        "held": dialogue.held,
        "unit": dialogue.unit.code if dialogue.unit else None,
        "organizers": dialogue.organizers,
        "leaders_present": dialogue.leaders_present,
        "attending": dialogue.attending,
        "note": dialogue.note,
    }


def audit_change(action, dialogue, before=None, after=None, **details):
    """Audit `action` on the meeting, naming its organization, title and year."""
    trail.record(
        action,
        f"dialogue:{dialogue.id}",
        before=before,
        after=after,
        organization=dialogue.organization.code,
        meeting=dialogue.title,
        year=dialogue.held_on.year,
        **details,
    )


def save_meeting(dialogue: Dialogue | None, values: dict) -> Dialogue:
    """Plan a meeting (`dialogue` None) or change one from `values` (MEETING_FIELDS); audited.

    A meeting marked held must have been held by today (DialogueRefused on `held_on`)."""
    if values["held"] and values["held_on"] > today():
        raise DialogueRefused("held_on", "held in the future")
    if not valid_year(values["held_on"].year):
        raise DialogueRefused("held_on", "year")
    before = audit_values(dialogue) if dialogue is not None else {}
    if dialogue is None:
        dialogue = Dialogue()
        db.session.add(dialogue)
    for name in MEETING_FIELDS:
        setattr(dialogue, name, values[name])
    db.session.flush()
    after = audit_values(dialogue)
    if before == after:
        return dialogue
    audit_change("dialogue.update" if before else "dialogue.create", dialogue, before, after)
    return dialogue


def deletable(dialogue: Dialogue) -> bool:
    """Whether the meeting may be deleted: still planned, and no issue recorded."""
    return not dialogue.held and not dialogue.issues


def delete_meeting(dialogue: Dialogue) -> None:
    """Delete a planned meeting without issues; audited. DialogueRefused otherwise."""
    if not deletable(dialogue):
        raise DialogueRefused(None, "held or has issues")
    audit_change("dialogue.delete", dialogue, before=audit_values(dialogue), after={})
    db.session.delete(dialogue)
    db.session.flush()
