"""The demo commune's programmes, tasks, progress notes, dialogues and the feedback items its
tasks answer (flushed: the seeding command commits)."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.demo import evidence_files
from survey.demo import programme_data as facts
from survey.models import (
    AnnualIndicator,
    Dialogue,
    DialogueIssue,
    FeedbackItem,
    Programme,
    Survey,
    Task,
    TaskNote,
    Unit,
)


def at_noon(day):
    """Midday of `day` in the commune, as a timestamp."""
    return datetime.combine(day, time(12), tzinfo=COMMUNE_TIME)


def seed_programmes(orgs, people):
    """Add the programmes and their tasks, with notes, dialogues and linked feedback items.

    `orgs` maps organization codes to Organization rows, `people` usernames to User rows."""
    programmes = {}
    for key, year, title, topic, parties, with_government in facts.PROGRAMMES:
        programmes[key] = Programme(
            year=year,
            title=title,
            topic=topic,
            with_commune_government=with_government,
            parties=[orgs[code] for code in parties],
            created_at=at_noon(date(year, 1, 5)),
        )
    db.session.add_all(programmes.values())
    tasks = {}
    for key, code, title, supporting, start, due, outcome in facts.TASKS:
        year = programmes[key].year
        task = _task(programmes[key], orgs[code], title, supporting, start, due, outcome, year)
        tasks[(key, title)] = task
        db.session.add(task)
    db.session.flush()
    officers = {"nongdan": people["hoinongdan"], "mttq": people["mattran"]}
    for (key, title), notes in facts.NOTES.items():
        task = tasks[(key, title)]
        writer = officers.get(task.organization.code, people["vanphong"])
        for month, day, text in notes:
            written = date(task.programme.year, month, day)
            db.session.add(
                TaskNote(
                    task=task,
                    written_on=written,
                    text=text,
                    by_id=writer.id,
                    created_at=at_noon(written),
                )
            )
    _evidence(tasks, people)
    _link_feedback(orgs, tasks)
    _dialogues(orgs, tasks)
    db.session.flush()


def _evidence(tasks, people):
    """The story's photos and minutes, uploaded by the office on the day each task was done."""
    for number, (key, (kind, filename, caption, public)) in enumerate(facts.EVIDENCE.items()):
        task = tasks[key]
        day = task.done_on or task.due_on
        data = evidence_files.drawn_photo(number) if kind == "photo" else None
        data = data or evidence_files.sample_minutes(day)
        db.session.add(
            evidence_files.add_file(
                task, data, filename, caption, public, people["vanphong"], at_noon(day)
            )
        )


def _task(programme, org, title, supporting, start, due, outcome, year):
    """One task of the demo, moved along as its outcome says."""
    due_on = date(year, *due)
    kind, _, rest = outcome.partition(" ")
    task = Task(
        programme=programme,
        organization=org,
        title=title,
        owner=facts.OWNERS[org.code],
        supporting=supporting,
        started_on=date(year, *start),
        due_on=due_on,
        status={"on_time": "done", "late": "done", "open": "in_progress"}.get(kind, kind),
        note=rest if kind == "cancelled" else "",
    )
    if kind == "on_time":
        task.done_on = due_on - timedelta(days=3 + len(title) % 9)
    elif kind == "late":
        task.done_on = due_on + timedelta(days=int(rest))
    task.updated_at = at_noon(task.done_on or due_on)
    return task


def _link_feedback(orgs, tasks):
    """Make the story's feedback items point at the tasks that answer them: the first item of
    the organization in the task's year whose text begins as the story says, received before
    the task was done."""
    for code, begins, key, title in facts.FEEDBACK_TASKS:
        task = tasks[(key, title)]
        item = db.session.scalar(
            sa.select(FeedbackItem)
            .join(Survey, Survey.id == FeedbackItem.survey_id)
            .where(
                FeedbackItem.organization_id == orgs[code].id,
                Survey.year == task.programme.year,
                FeedbackItem.text.startswith(begins),
                FeedbackItem.received_at <= at_noon(task.done_on or date.max),
            )
            .order_by(FeedbackItem.published.desc(), FeedbackItem.id)
            .limit(1)
        )
        if item is not None:
            item.task_id = task.id
            _answer_after_the_work(item, task)
            item.updated_at += timedelta(minutes=1)  # set, so the same for the same seed


def _answer_after_the_work(item, task):
    """A reply that says the work is done is written once it is: an item answered before its
    task was done is answered on the day it was done (its reply tells what was done)."""
    if task.done_on is None or item.answered_at is None:
        return
    done = at_noon(task.done_on) + timedelta(hours=3)
    if item.answered_at < done:
        item.answered_at = done
        if item.closed_at is not None and item.closed_at < done:
            item.closed_at = done
        item.updated_at = max(item.updated_at, done)


def _dialogues(orgs, tasks):
    """Two meetings planned per organization and year, held as the annual figures say, each
    held one with two issues: some answered on the spot, some made a task."""
    villages = list(db.session.scalars(sa.select(Unit).order_by(Unit.position)))
    figures = db.session.scalars(
        sa.select(AnnualIndicator).where(AnnualIndicator.year.in_((2024, 2025)))
    )
    # The issue each of these organizations' first meeting of the year opens with, made a task.
    made_tasks = {
        ("nongdan", 2025): (0, tasks[("nongthonmoi-2025", "Kiến nghị sửa đường vào khu sản xuất")]),
        ("mttq", 2025): (
            4,
            tasks[("nongthonmoi-2025", "Vận động lắp đèn đường đoạn gần trường học")],
        ),
    }
    k = 0
    for figure in sorted(figures, key=lambda f: (f.year, f.organization.position)):
        org = figure.organization
        for n in range(2):
            kind = "voter_contact" if org.code == "mttq" and n == 1 else "dialogue"
            held_on = date(figure.year, 5 + 5 * n, 10 + 2 * org.position)
            held = n < (figure.dialogues_held or 0)
            village = villages[k % len(villages)] if n == 0 else None
            meeting = Dialogue(
                organization=org,
                kind=kind,
                title=facts.DIALOGUE_TITLES[kind],
                held_on=held_on,
                held=held,
                unit=village,
                organizers=f"{org.short_name}, UBND xã",
                leaders_present=facts.LEADERS if held else "",
                attending=(48 + 7 * (k % 5)) if held else None,
                updated_at=at_noon(held_on),
            )
            db.session.add(meeting)
            if held:
                first, task = made_tasks.get((org.code, figure.year), (None, None))
                if n > 0 or first is None:
                    first, task = (2 * k) % len(facts.ISSUES), None
                for index, made in ((first, task), ((first + 1) % len(facts.ISSUES), None)):
                    text, answer = facts.ISSUES[index]
                    meeting.issues.append(
                        DialogueIssue(
                            text=text,
                            answer="" if made else answer,
                            task=made,
                            created_at=at_noon(held_on),
                        )
                    )
            k += 1
