"""The daily reminder by e-mail: to each officer of an organization with tasks due within 7
days or overdue, one plain-text letter in Vietnamese that lists them.

The tasks are the workspace home's reminders (survey/programmes/reminders.py), in the same
order: the longest overdue first, then by due date. The letters go to the active organization
officers who have an e-mail address; sending them is survey/core/mail.py's, the command that
does it `flask tasks digest`, which commits the one audit entry of a run.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from survey.audit import trail
from survey.commune.settings import setting
from survey.core.extensions import db
from survey.core.mail import Letter
from survey.models import Organization, User
from survey.programmes.reminders import REMIND_DAYS, Reminder, reminders
from survey.programmes.year_tasks import commune_today
from survey.responses.qr import public_url

# The language of the letters: the officers'.
LETTER_LANGUAGE = "vi"


def letters(today: date | None = None) -> list[Letter]:
    """One letter to each officer with an address of each organization with tasks to remind
    of, by the organizations' order and then the officers' usernames."""
    today = today or commune_today()
    by_organization = defaultdict(list)
    for reminder in reminders(None, today):
        by_organization[reminder.organization_id].append(reminder)
    if not by_organization:
        return []
    with force_locale(LETTER_LANGUAGE):
        return [
            Letter(
                name=officer.full_name or officer.username,
                address=officer.email,
                subject=subject(organization, by_organization[organization.id]),
                body=body(officer, organization, by_organization[organization.id], today),
            )
            for organization, officer in _officers(by_organization)
        ]


def _officers(organization_ids):
    """(organization, officer) of the active organization officers with an address."""
    return db.session.execute(
        sa.select(Organization, User)
        .join(User, User.organization_id == Organization.id)
        .where(
            Organization.id.in_(organization_ids),
            User.role == "org_officer",
            User.active.is_(True),
            User.email != "",
        )
        .order_by(Organization.position, Organization.id, User.username)
    ).all()


def subject(organization: Organization, tasks: list[Reminder]) -> str:
    """The subject: "Nhắc việc: 2 việc quá hạn, 1 việc đến hạn trong 7 ngày – Hội Nông dân xã"."""
    overdue = sum(1 for task in tasks if task.overdue)
    counts = []
    if overdue:
        counts.append(ngettext("%(num)d task overdue", "%(num)d tasks overdue", overdue))
    if len(tasks) > overdue:
        counts.append(
            ngettext(
                "%(num)d task due within %(days)d days",
                "%(num)d tasks due within %(days)d days",
                len(tasks) - overdue,
                days=REMIND_DAYS,
            )
        )
    return _(
        "Reminder: %(counts)s – %(organization)s",
        counts=", ".join(counts),
        organization=organization.name,
    )


def body(officer: User, organization: Organization, tasks: list[Reminder], today: date) -> str:
    """The letter: a greeting, each task (title, programme, person responsible, due date and
    how far it is, its page) and where to see them all."""
    lines = [
        _("Dear %(name)s,", name=officer.full_name or officer.username),
        "",
        _(
            "These tasks of %(organization)s are overdue or due within %(days)d days "
            "(as of %(day)s):",
            organization=organization.name,
            days=REMIND_DAYS,
            day=_day(today),
        ),
    ]
    for number, task in enumerate(tasks, start=1):
        lines += [
            "",
            f"{number}. {task.title}",
            "   " + _("Programme: %(title)s", title=task.programme),
            "   " + _("Person responsible: %(name)s", name=task.owner or "—"),
            "   " + _("Due %(day)s, %(how_far)s", day=_day(task.due_on), how_far=_how_far(task)),
            "   " + public_url(f"/manage/tasks/{task.task_id}"),
        ]
    lines += [
        "",
        _("Your workspace lists them too: %(address)s", address=public_url("/manage/")),
        "",
        _(
            "This letter is sent every morning by the commune's survey site (%(commune)s) "
            "while tasks are due soon or overdue. Do not reply to it.",
            commune=setting("COMMUNE_NAME"),
        ),
    ]
    return "\n".join(lines) + "\n"


def sender_name() -> str:
    """The name the letters come from: "Nhắc việc – xã Hà Tam"."""
    with force_locale(LETTER_LANGUAGE):
        return _("Task reminders – %(commune)s", commune=setting("COMMUNE_NAME"))


def record_run(sent: int, failed: int) -> None:
    """The run's one audit entry, by the command line: how many officers got the letter."""
    trail.record("reminders.digest", "reminders:digest", sent=sent, failed=failed)


def _how_far(task: Reminder) -> str:
    if task.overdue:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", task.days_overdue)
    if task.days_left == 0:
        return _("due today")
    return ngettext("%(num)d day left", "%(num)d days left", task.days_left)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
