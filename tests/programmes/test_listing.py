"""What the programme pages read: overdue tasks first, the year's programmes with their tasks
counted by state and the overdue ones, who sees which programme, and the timeline of tasks due
and done per month."""

from datetime import date

import pytest

from survey.models import Programme
from survey.programmes.listing import (
    is_overdue,
    ordered_tasks,
    period_of,
    programme_rows,
    programme_years,
    task_groups,
)
from survey.programmes.timeline import MonthCount, chart_spec, months_due_and_done
from tests.programmes.programme_world import TODAY, make_task, make_world


@pytest.fixture
def world(db):
    found = make_world(db)
    db.session.commit()
    return found


def titled(db, world, specs):
    """Tasks of the programme from (title, status, due, done) rows."""
    return [
        make_task(
            db,
            world["programme"],
            world["nongdan"],
            title=title,
            status=status,
            due_on=due,
            done_on=done,
            note="Bão" if status == "cancelled" else "",
        )
        for title, status, due, done in specs
    ]


def test_a_task_is_overdue_only_after_its_due_date_and_while_not_finished(db, world):
    (planned, under_way, done, cancelled) = titled(
        db,
        world,
        [
            ("a", "planned", date(2025, 6, 14), None),
            ("b", "in_progress", date(2025, 6, 14), None),
            ("c", "done", date(2025, 6, 1), date(2025, 6, 10)),
            ("d", "cancelled", date(2025, 6, 1), None),
        ],
    )
    assert is_overdue(planned, TODAY) and is_overdue(under_way, TODAY)
    assert not is_overdue(done, TODAY) and not is_overdue(cancelled, TODAY)
    assert not is_overdue(planned, date(2025, 6, 14))  # on its due date it is still in time


def test_overdue_tasks_come_first_then_under_way_not_started_done_cancelled(db, world):
    tasks = titled(
        db,
        world,
        [
            ("done", "done", date(2025, 3, 1), date(2025, 3, 1)),
            ("planned later", "planned", date(2025, 9, 1), None),
            ("cancelled", "cancelled", date(2025, 1, 1), None),
            ("under way", "in_progress", date(2025, 8, 1), None),
            ("overdue, newer", "planned", date(2025, 6, 1), None),
            ("planned soon", "planned", date(2025, 7, 1), None),
            ("overdue, older", "in_progress", date(2025, 5, 1), None),
        ],
    )
    assert [t.title for t in ordered_tasks(tasks, TODAY)] == [
        "overdue, older",
        "overdue, newer",
        "under way",
        "planned soon",
        "planned later",
        "done",
        "cancelled",
    ]
    groups = task_groups(world["programme"], TODAY)
    assert [(g.key, len(g.tasks)) for g in groups] == [
        ("overdue", 2),
        ("in_progress", 1),
        ("planned", 2),
        ("done", 1),
        ("cancelled", 1),
    ]


def test_the_period_spans_the_tasks_dates(db, world):
    assert period_of([]) is None
    tasks = [
        make_task(db, world["programme"], world["nongdan"], started_on=date(2025, 2, 1)),
        make_task(
            db,
            world["programme"],
            world["nongdan"],
            due_on=date(2025, 10, 31),
            status="done",
            done_on=date(2025, 11, 5),
        ),
    ]
    assert period_of(tasks) == (date(2025, 2, 1), date(2025, 11, 5))


def test_the_years_list_counts_tasks_by_state_and_the_overdue(db, world):
    titled(
        db,
        world,
        [
            ("a", "planned", date(2025, 6, 1), None),
            ("b", "planned", date(2025, 7, 1), None),
            ("c", "in_progress", date(2025, 5, 1), None),
            ("d", "done", date(2025, 3, 1), date(2025, 3, 2)),
            ("e", "cancelled", date(2025, 1, 1), None),
        ],
    )
    db.session.add(Programme(year=2025, title="Chương trình rỗng", parties=[world["phunu"]]))
    db.session.commit()
    rows = programme_rows(world["admin"], 2025, TODAY)
    assert [r.title for r in rows] == ["Chương trình phối hợp giảm nghèo", "Chương trình rỗng"]
    full, empty = rows
    assert full.counts == {"planned": 2, "in_progress": 1, "done": 1, "cancelled": 1}
    assert (full.total, full.overdue) == (5, 2)
    assert full.parties == ("Hội Nông dân xã", "Hội Phụ nữ xã")
    assert (full.first_day, full.last_day) == (date(2025, 1, 1), date(2025, 7, 1))
    assert (empty.total, empty.overdue, empty.first_day) == (0, 0, None)


def test_an_officer_lists_only_the_programmes_its_organization_takes_part_in(db, world):
    db.session.add(Programme(year=2025, title="Chương trình khác", parties=[world["ccb"]]))
    db.session.add(Programme(year=2024, title="Chương trình cũ", parties=[world["ccb"]]))
    db.session.commit()
    assert [r.title for r in programme_rows(world["officer"], 2025, TODAY)] == [
        "Chương trình phối hợp giảm nghèo"
    ]
    assert [r.title for r in programme_rows(world["outsider"], 2025, TODAY)] == [
        "Chương trình khác"
    ]
    assert len(programme_rows(world["committee"], 2025, TODAY)) == 2
    assert programme_rows(world["village"], 2025, TODAY) == []
    assert 2024 in programme_years(world["outsider"]) and 2024 not in programme_years(
        world["officer"]
    )


# --- the timeline: tasks due and done per month ---------------------------------------------


def test_tasks_due_and_done_per_month_with_the_months_between(db, world):
    tasks = titled(
        db,
        world,
        [
            ("due in March, done in February", "done", date(2025, 3, 15), date(2025, 2, 20)),
            ("due in March, done late in May", "done", date(2025, 3, 31), date(2025, 5, 2)),
            ("due in March, not done", "in_progress", date(2025, 3, 1), None),
            ("cancelled in January", "cancelled", date(2025, 1, 10), None),
        ],
    )
    assert months_due_and_done(tasks) == (
        MonthCount(date(2025, 2, 1), due=0, done=1),
        MonthCount(date(2025, 3, 1), due=3, done=0),
        MonthCount(date(2025, 4, 1), due=0, done=0),
        MonthCount(date(2025, 5, 1), due=0, done=1),
    )


def test_the_timeline_crosses_the_new_year_and_is_empty_without_tasks(db, world):
    tasks = titled(
        db,
        world,
        [
            ("a", "planned", date(2025, 12, 20), None),
            ("b", "done", date(2026, 1, 5), date(2026, 1, 5)),
        ],
    )
    months = months_due_and_done(tasks)
    assert [(m.month, m.due, m.done) for m in months] == [
        (date(2025, 12, 1), 1, 0),
        (date(2026, 1, 1), 1, 1),
    ]
    assert months_due_and_done([]) == ()
    spec = chart_spec(months, "Đến hạn", "Hoàn thành")
    assert spec == {
        "labels": ["12/2025", "01/2026"],
        "datasets": [
            {"label": "Đến hạn", "data": [1, 1]},
            {"label": "Hoàn thành", "data": [0, 1]},
        ],
    }
