"""GET /api/v1/tasks?year=Y: the year's programmes with their tasks, scoped to what the role
may read; a bad year is a 400 with a JSON error."""

from datetime import date

import pytest

from tests.factories import make_organization, make_unit, make_user
from tests.programmes.world import make_programme, make_task


@pytest.fixture
def world(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã")
    poverty = make_programme(db, "Giảm nghèo", 2024, topic="Giảm nghèo bền vững")
    roads = make_programme(db, "Đường giao thông nông thôn", 2024)
    other_year = make_programme(db, "Giảm nghèo", 2023)
    tasks = {
        "on_time": make_task(
            db,
            nongdan,
            date(2024, 6, 30),
            poverty,
            title="Tập huấn",
            supporting="Hợp tác xã",
            started_on=date(2024, 6, 1),
            done_on=date(2024, 6, 30),
        ),
        "late": make_task(db, phunu, date(2024, 5, 31), poverty, done_on=date(2024, 6, 2)),
        "overdue": make_task(db, phunu, date(2024, 9, 30), roads, status="in_progress"),
        "cancelled": make_task(
            db, nongdan, date(2024, 3, 1), roads, status="cancelled", note="Bão"
        ),
        "not_yet": make_task(db, nongdan, date(2099, 1, 1), roads),
        "other_year": make_task(db, nongdan, date(2023, 5, 1), other_year),
    }
    make_user(db, username="committee", role="committee")
    make_user(db, username="officer", role="org_officer", organization=nongdan)
    make_user(db, username="village", role="unit_officer", unit=make_unit(db))
    db.session.commit()
    return {name: task.id for name, task in tasks.items()}


def test_a_reader_gets_every_programme_of_the_year_with_its_tasks(client, login, world):
    login("committee", "a-long-password")
    document = client.get("/api/v1/tasks?year=2024").get_json()
    assert document["year"] == 2024
    assert [p["title"] for p in document["programmes"]] == [
        "Giảm nghèo",
        "Đường giao thông nông thôn",
    ]
    tasks = {t["id"]: t for p in document["programmes"] for t in p["tasks"]}
    assert set(tasks) == {world[k] for k in ("on_time", "late", "overdue", "cancelled", "not_yet")}
    assert tasks[world["on_time"]] == {
        "id": world["on_time"],
        "programme": "Giảm nghèo",
        "organization": {"code": "nongdan", "name": "Hội Nông dân xã"},
        "title": "Tập huấn",
        "owner": "Phạm Văn Thành",
        "supporting": "Hợp tác xã",
        "started": "2024-06-01",
        "due": "2024-06-30",
        "status": "done",
        "done": "2024-06-30",
        "on_time": True,
        "overdue": False,
    }
    judged = {
        name: (tasks[world[name]]["on_time"], tasks[world[name]]["overdue"])
        for name in ("late", "overdue", "cancelled", "not_yet")
    }
    assert judged == {
        "late": (False, False),
        "overdue": (False, True),
        "cancelled": (None, False),
        "not_yet": (None, False),
    }


def test_an_organization_officer_gets_its_own_tasks_only(client, login, world):
    login("officer", "a-long-password")
    document = client.get("/api/v1/tasks?year=2024").get_json()
    tasks = [t for p in document["programmes"] for t in p["tasks"]]
    assert {t["id"] for t in tasks} == {world[k] for k in ("on_time", "cancelled", "not_yet")}
    assert {t["organization"]["code"] for t in tasks} == {"nongdan"}


@pytest.mark.parametrize("year", ["abc", "1999", "3000", "2024.5"])
def test_a_bad_year_is_a_json_error(client, login, world, year):
    login("committee", "a-long-password")
    response = client.get(f"/api/v1/tasks?year={year}")
    assert response.status_code == 400
    assert year in response.get_json()["error"]


def test_village_officers_are_refused_and_anonymous_visitors_sent_to_sign_in(client, login, world):
    assert "/login" in client.get("/api/v1/tasks?year=2024").headers["Location"]
    login("village", "a-long-password")
    assert client.get("/api/v1/tasks?year=2024").status_code == 403
