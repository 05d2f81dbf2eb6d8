"""The rules of a task's fields and state, each on its own: who may give a task which fields,
the steps planned -> under way -> done, cancelling with a reason, reopening by the office with
a confirmation, progress notes; every change audited with the task's and programme's titles."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Task, TaskNote
from survey.programmes.task_steps import (
    Refused,
    TaskFields,
    add_note,
    add_task,
    allowed_steps,
    take_step,
    update_task,
)
from tests.programmes.programme_world import TODAY, make_task, make_world


@pytest.fixture
def world(db):
    found = make_world(db)
    db.session.commit()
    return found


def refusal(call, *args, **kwargs):
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.field, refused.value.reason


def fields(organization, **overrides):
    return TaskFields(
        **{
            "organization_id": organization.id,
            "title": "Hướng dẫn hộ nghèo vay vốn",
            "owner": "Nguyễn Thị Hoa, Chủ tịch Hội",
            "supporting": "Ngân hàng Chính sách",
            "started_on": None,
            "due_on": date(2025, 9, 30),
        }
        | overrides
    )


def last_audit(db):
    return db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id.desc())).first()


# --- adding and changing a task -------------------------------------------------------------


def test_an_officer_adds_a_task_of_its_own_organization_audited_with_the_titles(db, world):
    task = add_task(world["programme"], world["officer"], fields(world["nongdan"]), TODAY)
    assert task.status == "planned" and task.organization_id == world["nongdan"].id
    entry = last_audit(db)
    assert entry.action == "task.create" and entry.target == f"task:{task.id}"
    assert entry.details["task"] == "Hướng dẫn hộ nghèo vay vốn"
    assert entry.details["programme"] == "Chương trình phối hợp giảm nghèo"


def test_a_task_started_by_today_is_under_way_from_the_start(db, world):
    started = fields(world["nongdan"], started_on=TODAY)
    assert add_task(world["programme"], world["admin"], started, TODAY).status == "in_progress"
    later = fields(world["nongdan"], started_on=TODAY + timedelta(days=3))
    assert add_task(world["programme"], world["admin"], later, TODAY).status == "planned"


def test_an_officer_gives_no_task_to_another_organization(db, world):
    assert refusal(
        add_task, world["programme"], world["officer"], fields(world["phunu"]), TODAY
    ) == ("organization", "not your own")


def test_a_task_goes_only_to_a_party_of_the_programme(db, world):
    assert refusal(add_task, world["programme"], world["admin"], fields(world["ccb"]), TODAY) == (
        "organization",
        "not a party",
    )


def test_the_due_date_is_not_before_the_start(db, world):
    backwards = fields(world["nongdan"], started_on=date(2025, 7, 1), due_on=date(2025, 6, 1))
    assert refusal(add_task, world["programme"], world["admin"], backwards, TODAY) == (
        "due_on",
        "due before start",
    )


def test_an_officer_may_move_a_due_date_still_ahead(db, world):
    task = make_task(db, world["programme"], world["nongdan"], due_on=date(2025, 6, 30))
    moved = fields(world["nongdan"], title=task.title, due_on=date(2025, 7, 31))
    assert update_task(task, world["officer"], moved, TODAY) is True
    entry = last_audit(db)
    assert entry.action == "task.update"
    assert entry.details["before"]["due_on"] == "2025-06-30"
    assert entry.details["after"]["due_on"] == "2025-07-31"


def test_only_the_office_moves_a_due_date_that_has_passed(db, world):
    task = make_task(db, world["programme"], world["nongdan"], due_on=date(2025, 6, 1))
    moved = fields(world["nongdan"], title=task.title, due_on=date(2025, 7, 31))
    assert refusal(update_task, task, world["officer"], moved, TODAY) == (
        "due_on",
        "past due date is the office's",
    )
    assert update_task(task, world["admin"], moved, TODAY) is True


def test_a_finished_task_is_changed_by_the_office_only(db, world):
    task = make_task(
        db, world["programme"], world["nongdan"], status="done", done_on=date(2025, 6, 10)
    )
    renamed = fields(world["nongdan"], title="Tập huấn (đã sửa)", due_on=task.due_on)
    assert refusal(update_task, task, world["officer"], renamed, TODAY) == (
        None,
        "finished tasks are the office's",
    )
    assert update_task(task, world["admin"], renamed, TODAY) is True


def test_a_done_task_keeps_its_start_before_its_done_day(db, world):
    task = make_task(
        db, world["programme"], world["nongdan"], status="done", done_on=date(2025, 6, 10)
    )
    late_start = fields(world["nongdan"], started_on=date(2025, 6, 12), due_on=task.due_on)
    assert refusal(update_task, task, world["admin"], late_start, TODAY) == (
        "started_on",
        "start after done",
    )


def test_saving_the_same_fields_changes_nothing_and_audits_nothing(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    same = fields(
        world["nongdan"],
        title=task.title,
        owner=task.owner,
        supporting=task.supporting,
        due_on=task.due_on,
    )
    assert update_task(task, world["officer"], same, TODAY) is False
    assert last_audit(db) is None


# --- the steps of a task's state ------------------------------------------------------------


def test_starting_a_planned_task_puts_it_under_way_from_today(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    take_step(task, world["officer"], "start", TODAY)
    assert (task.status, task.started_on) == ("in_progress", TODAY)
    assert last_audit(db).action == "task.start"


def test_only_a_planned_task_starts(db, world):
    task = make_task(db, world["programme"], world["nongdan"], status="in_progress")
    assert refusal(take_step, task, world["officer"], "start", TODAY) == (
        None,
        "step not possible",
    )


@pytest.mark.parametrize("status", ["planned", "in_progress"])
def test_a_task_is_done_on_a_day_up_to_today(db, world, status):
    task = make_task(db, world["programme"], world["nongdan"], status=status)
    take_step(task, world["officer"], "finish", TODAY, day=TODAY)
    db.session.commit()  # the table's checks hold: done exactly when it has its day
    assert (task.status, task.done_on) == ("done", TODAY)
    entry = last_audit(db)
    assert entry.action == "task.finish" and entry.details["after"]["done_on"] == "2025-06-15"


def test_done_needs_its_day(db, world):
    task = make_task(db, world["programme"], world["nongdan"], status="in_progress")
    assert refusal(take_step, task, world["officer"], "finish", TODAY) == (
        "done_on",
        "done needs its day",
    )


def test_a_task_is_not_done_in_the_future(db, world):
    task = make_task(db, world["programme"], world["nongdan"], status="in_progress")
    tomorrow = TODAY + timedelta(days=1)
    assert refusal(take_step, task, world["officer"], "finish", TODAY, day=tomorrow) == (
        "done_on",
        "done in the future",
    )


def test_a_task_is_not_done_before_its_start(db, world):
    task = make_task(
        db,
        world["programme"],
        world["nongdan"],
        status="in_progress",
        started_on=date(2025, 6, 10),
    )
    with pytest.raises(Refused) as refused:
        take_step(task, world["officer"], "finish", TODAY, day=date(2025, 6, 9))
    assert (refused.value.field, refused.value.reason) == ("done_on", "done before start")
    assert refused.value.names == {"start": date(2025, 6, 10)}


def test_a_done_task_is_not_done_again_nor_cancelled(db, world):
    task = make_task(
        db, world["programme"], world["nongdan"], status="done", done_on=date(2025, 6, 1)
    )
    for step in ("finish", "cancel", "start"):
        assert refusal(take_step, task, world["admin"], step, TODAY, day=TODAY, reason="x") == (
            None,
            "step not possible",
        )


@pytest.mark.parametrize("status", ["planned", "in_progress"])
def test_a_task_not_done_is_cancelled_with_its_reason(db, world, status):
    task = make_task(db, world["programme"], world["nongdan"], status=status)
    take_step(task, world["officer"], "cancel", TODAY, reason="  Trùng lịch bầu cử ")
    db.session.commit()  # the table's check holds: a cancelled task has its reason
    assert (task.status, task.note) == ("cancelled", "Trùng lịch bầu cử")
    assert last_audit(db).details["after"]["status"] == "cancelled"


def test_cancelling_needs_a_reason(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    assert refusal(take_step, task, world["officer"], "cancel", TODAY, reason="   ") == (
        "reason",
        "cancel needs a reason",
    )
    assert task.status == "planned"


def test_an_officer_does_not_reopen_a_finished_task(db, world):
    task = make_task(
        db, world["programme"], world["nongdan"], status="done", done_on=date(2025, 6, 1)
    )
    assert "reopen" not in allowed_steps(task, world["officer"])
    assert refusal(take_step, task, world["officer"], "reopen", TODAY, confirmed=True) == (
        None,
        "reopening is the office's",
    )


def test_the_office_reopens_a_done_task_only_once_confirmed(db, world):
    task = make_task(
        db,
        world["programme"],
        world["nongdan"],
        status="done",
        started_on=date(2025, 5, 1),
        done_on=date(2025, 6, 1),
    )
    assert "reopen" in allowed_steps(task, world["admin"])
    assert refusal(take_step, task, world["admin"], "reopen", TODAY) == (
        "confirm",
        "reopen needs confirmation",
    )
    assert task.status == "done"
    take_step(task, world["admin"], "reopen", TODAY, confirmed=True)
    db.session.commit()
    assert (task.status, task.done_on) == ("in_progress", None)
    assert last_audit(db).action == "task.reopen"


def test_a_reopened_cancelled_task_that_never_started_is_planned_again(db, world):
    task = make_task(db, world["programme"], world["nongdan"], status="cancelled", note="Bão")
    take_step(task, world["admin"], "reopen", TODAY, confirmed=True)
    db.session.commit()
    assert task.status == "planned" and task.note == "Bão"


def test_the_steps_offered_follow_the_state(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    assert allowed_steps(task, world["officer"]) == ["start", "finish", "cancel"]
    task.status = "in_progress"
    assert allowed_steps(task, world["officer"]) == ["finish", "cancel"]


def test_an_unknown_step_is_refused(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    assert refusal(take_step, task, world["admin"], "delete", TODAY) == (
        None,
        "step not possible",
    )


# --- progress notes -------------------------------------------------------------------------


def test_a_progress_note_is_kept_with_its_day_and_writer(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    add_note(task, world["officer"], date(2025, 6, 14), " Đã họp chi hội. ", TODAY)
    db.session.commit()
    note = db.session.scalar(sa.select(TaskNote))
    assert (note.written_on, note.text, note.by_id) == (
        date(2025, 6, 14),
        "Đã họp chi hội.",
        world["officer"].id,
    )
    assert last_audit(db).details["after"]["progress_note"] == "Đã họp chi hội."


def test_a_progress_note_is_not_dated_after_today_nor_empty(db, world):
    task = make_task(db, world["programme"], world["nongdan"])
    tomorrow = TODAY + timedelta(days=1)
    assert refusal(add_note, task, world["officer"], tomorrow, "Đã họp", TODAY) == (
        "written_on",
        "note in the future",
    )
    assert refusal(add_note, task, world["officer"], TODAY, "  ", TODAY) == (
        "text",
        "note needs text",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskNote)) == 0


def test_the_tasks_table_refuses_what_the_rules_refuse(db, world):
    # The database holds the two rules too: done exactly with its day, cancelled with a reason.
    from sqlalchemy.exc import IntegrityError

    for bad in ({"status": "done"}, {"status": "cancelled", "note": ""}):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            make_task(db, world["programme"], world["nongdan"], **bad)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0
