"""Reminders: the tasks due within 7 days and the overdue ones, in commune time, shown on the
workspace home to each officer who answers for them or reads them."""

from datetime import date, datetime, timedelta, timezone

import pytest

from survey.programmes.reminders import reminders
from survey.programmes.year_tasks import commune_today
from tests.factories import make_organization, make_unit, make_user
from tests.programmes.world import make_task

TODAY = date(2025, 6, 10)


@pytest.fixture
def tasks(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    made = {
        "overdue": make_task(db, nongdan, TODAY - timedelta(days=3), title="Sửa kênh mương"),
        "today": make_task(db, phunu, TODAY, title="Họp chi hội"),
        "in_7": make_task(db, nongdan, TODAY + timedelta(days=7), title="Tập huấn"),
        "in_8": make_task(db, nongdan, TODAY + timedelta(days=8), title="Hội thi"),
        "done_late": make_task(
            db, nongdan, TODAY - timedelta(days=5), title="Đã làm", done_on=TODAY
        ),
        "cancelled": make_task(
            db,
            phunu,
            TODAY - timedelta(days=2),
            title="Đã hủy",
            status="cancelled",
            note="Bão số 3",
        ),
        "started": make_task(
            db, phunu, TODAY - timedelta(days=1), title="Đang làm", status="in_progress"
        ),
    }
    db.session.commit()
    return nongdan, phunu, made


def test_overdue_first_then_due_within_seven_days_neither_done_nor_cancelled(db, tasks):
    nongdan, _phunu, made = tasks
    found = reminders(today=TODAY)
    assert [r.task_id for r in found] == [
        made[k].id for k in ("overdue", "started", "today", "in_7")
    ]
    assert [r.days_left for r in found] == [-3, -1, 0, 7]
    assert [r.overdue for r in found] == [True, True, False, False]
    assert found[0].organization == "Hội Nông dân xã" and found[0].days_overdue == 3
    own = reminders(nongdan.id, today=TODAY)
    assert [r.title for r in own] == ["Sửa kênh mương", "Tập huấn"]


def test_today_is_the_communes(db, tasks, monkeypatch):
    """At 18:00 UTC on 9 June it is already 10 June in the commune."""
    import survey.programmes.year_tasks as year_tasks

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2025, 6, 9, 18, 0, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(year_tasks, "datetime", Clock)
    assert [r.days_left for r in reminders()] == [-3, -1, 0, 7]


def home_world(db):
    """Dated from the commune's real today: what the workspace home reads."""
    today = commune_today()
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã", position=1)
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã", position=2)
    late = make_task(db, nongdan, today - timedelta(days=3), title="Sửa kênh mương")
    soon = make_task(db, phunu, today + timedelta(days=2), title="Họp chi hội <b>")
    make_task(db, phunu, today + timedelta(days=30), title="Hội thi cuối năm")
    make_user(db, username="vanphong", role="admin")
    make_user(db, username="thuongtruc", role="committee")
    make_user(db, username="ubkt", role="inspector")
    make_user(db, username="hoinongdan", role="org_officer", organization=nongdan)
    make_user(db, username="thon1", role="unit_officer", unit=make_unit(db))
    db.session.commit()
    return late, soon, today


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("vanphong", {"late", "soon"}),
        ("thuongtruc", {"late", "soon"}),
        ("ubkt", {"late", "soon"}),
        ("hoinongdan", {"late"}),
        ("thon1", None),
    ],
)
def test_the_home_lists_each_officers_reminders(client, db, login, username, sees):
    late, soon, today = home_world(db)
    login(username, "a-long-password")
    html = client.get("/manage/").get_data(as_text=True)
    if sees is None:
        assert "Việc sắp đến hạn và quá hạn" not in html
        assert "/manage/tasks/" not in html
        return
    assert "Việc sắp đến hạn và quá hạn" in html
    assert "Hội thi cuối năm" not in html  # a month away
    shown = {
        name
        for name, task in (("late", late), ("soon", soon))
        if f"/manage/tasks/{task.id}" in html
    }
    assert shown == sees
    assert "Sửa kênh mương" in html and "Hội Nông dân xã" in html
    assert (today - timedelta(days=3)).strftime("%d/%m/%Y") in html
    assert "quá hạn 3 ngày" in html
    if "soon" in sees:
        assert "Họp chi hội &lt;b&gt;" in html and "còn 2 ngày" in html
        assert html.index("Sửa kênh mương") < html.index("Họp chi hội")


def test_an_officer_with_nothing_due_is_told_so(client, db, login):
    nongdan = make_organization(db)
    make_task(db, nongdan, commune_today() + timedelta(days=30))
    make_user(db, username="hoinongdan", role="org_officer", organization=nongdan)
    db.session.commit()
    login("hoinongdan", "a-long-password")
    html = client.get("/manage/").get_data(as_text=True)
    assert "Không có việc nào đến hạn trong 7 ngày tới" in html
    assert "/manage/tasks/" not in html
