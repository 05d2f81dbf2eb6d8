"""Bad input (hypothesis) on every programme and task form: each gets what it takes with some
fields changed or added at random (huge, Unicode, wrong types, days that are not days, lists
for single values), and answers with the form again or a redirect, never a 500."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.programmes.listing import commune_today
from tests.programmes.programme_world import PASSWORD, make_task, make_world

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = st.sampled_from(
    [
        *("year", "title", "topic", "parties", "with_commune_government", "confirm"),
        *("organization", "owner", "supporting", "started_on", "due_on"),
        *("written_on", "text", "step", "done_on", "reason", "extra"),
    ]
)
VALUES = st.one_of(
    st.text(max_size=120).map(lambda text: text.replace("\x00", "")),
    st.sampled_from(
        [
            *("", " ", "y", "0", "-1", "1", "2", "9" * 40, "1e309", "²", "١٢"),
            *("31/02/2025", "0/0/0", "01/01/0001", "31/12/9999", "2025-06-30", "32/13/2025"),
            *("start", "finish", "cancel", "reopen", "delete", "x" * 4000),
        ]
    ),
)
CHANGES = st.dictionaries(
    FIELDS, st.one_of(VALUES, st.lists(VALUES, min_size=1, max_size=3)), max_size=6
)


@pytest.fixture
def forms(client, db):
    """Signed in as the office, with a programme and a task: what each form takes."""
    world = make_world(db)
    today = commune_today()
    task = make_task(db, world["programme"], world["nongdan"], due_on=today)
    db.session.commit()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    day = today.strftime("%d/%m/%Y")
    programme = f"/manage/programmes/{world['programme'].id}"
    parties = [str(world["nongdan"].id), str(world["phunu"].id)]
    return {
        "/manage/programmes/new": {"year": str(today.year), "title": "Mới", "parties": parties},
        f"{programme}/edit": {"year": str(today.year), "title": "Sửa", "parties": parties},
        f"{programme}/delete": {"confirm": "y"},
        f"{programme}/tasks/new": {
            "title": "Việc",
            "organization": parties[0],
            "owner": "An",
            "due_on": (today + timedelta(days=9)).strftime("%d/%m/%Y"),
        },
        f"/manage/tasks/{task.id}/edit": {
            "title": "Việc",
            "organization": parties[0],
            "owner": "An",
            "due_on": day,
        },
        f"/manage/tasks/{task.id}/notes": {"written_on": day, "text": "Đã làm"},
        f"/manage/tasks/{task.id}/state": {"step": "finish", "done_on": day},
    }


@FUZZ
@given(changes=CHANGES)
def test_the_programme_and_task_forms_never_fail(client, forms, changes):
    for path, data in forms.items():
        response = client.post(path, data=data | changes)
        assert response.status_code < 500, (path, data | changes)
