"""The dialogue pages: who may plan, change and read a meeting; an issue recorded, answered and
made a task; a planned meeting deleted only when confirmed and without issues; each change
audited in words."""

from datetime import date

import pytest
import sqlalchemy as sa

from survey.models import AuditLog, Dialogue, DialogueIssue, Task
from tests.dialogues.conftest import PASSWORD

PLAN = {
    "organization": "nongdan",
    "kind": "voter_contact",
    "title": "Tiếp xúc cử tri trước kỳ họp",
    "held_on": "05/03/2025",
    "unit": "thon1",
    "organizers": "UBND xã",
}


def meeting(db, org, **fields):
    dialogue = Dialogue(
        organization_id=org.id,
        title=fields.pop("title", "Đối thoại với nông dân"),
        held_on=fields.pop("held_on", date(2025, 4, 10)),
        **fields,
    )
    db.session.add(dialogue)
    db.session.commit()
    return dialogue


@pytest.mark.parametrize(
    ("username", "status"),
    [("vanphong", 302), ("hoind", 302), ("mattran", 403), ("thuongtruc", 403), ("thon", 403)],
)
def test_a_meeting_is_planned_by_the_office_or_its_own_officer(
    client, login, db, commune, username, status
):
    login(username, PASSWORD)
    response = client.post("/manage/dialogues/new", data=PLAN)
    # The Front's officer may plan meetings, but only its own: "nongdan" is not a choice.
    expected = 422 if username == "mattran" else status
    assert response.status_code == expected
    saved = db.session.scalar(sa.select(Dialogue))
    assert (saved is not None) == (expected == 302)
    if saved is not None:
        assert saved.unit.code == "thon1" and not saved.held and saved.held_on == date(2025, 3, 5)


@pytest.mark.parametrize(
    ("username", "reads", "changes"),
    [
        ("vanphong", 200, 200),
        ("hoind", 200, 200),
        ("thuongtruc", 200, 403),
        ("ubkt", 200, 403),
        ("mattran", 403, 403),
        ("thon", 403, 403),
    ],
)
def test_who_reads_and_who_changes_a_meeting(client, login, db, commune, username, reads, changes):
    dialogue = meeting(db, commune["nongdan"])
    login(username, PASSWORD)
    assert client.get(f"/manage/dialogues/{dialogue.id}").status_code == reads
    assert client.get(f"/manage/dialogues/{dialogue.id}/edit").status_code == changes
    issue = client.post(f"/manage/dialogues/{dialogue.id}/issues", data={"text": "Đường hỏng"})
    assert issue.status_code == (302 if changes == 200 else changes)
    listing = client.get("/manage/dialogues/?year=2025")
    assert listing.status_code == (403 if username == "thon" else 200)
    shown = "Đối thoại với nông dân" in listing.get_data(as_text=True)
    assert shown == (reads == 200)


def test_a_meeting_marked_held_on_a_day_to_come_is_refused_and_keeps_the_typing(
    client, login, db, commune
):
    login("hoind", PASSWORD)
    data = PLAN | {"organization": "", "held_on": "05/03/2099", "held": "y", "attending": "40"}
    response = client.post("/manage/dialogues/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "05/03/2099" in page and "Tiếp xúc cử tri" in page
    assert db.session.scalar(sa.select(Dialogue)) is None
    bad_day = client.post("/manage/dialogues/new", data=PLAN | {"held_on": "31/02/2025"})
    assert bad_day.status_code == 422


def test_marking_a_meeting_held_is_audited_in_words(client, login, db, commune):
    dialogue = meeting(db, commune["nongdan"])
    login("hoind", PASSWORD)
    data = PLAN | {"held_on": "11/04/2025", "held": "y", "attending": "85"}
    data |= {"title": dialogue.title, "leaders_present": "Bí thư Đảng ủy"}
    assert client.post(f"/manage/dialogues/{dialogue.id}/edit", data=data).status_code == 302
    db.session.refresh(dialogue)
    assert dialogue.held and dialogue.attending == 85
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "dialogue.update"))
    assert entry.details["after"]["held"] is True and entry.details["organization"] == "nongdan"
    login("vanphong", PASSWORD)
    log = client.get("/manage/audit/").get_data(as_text=True)
    assert "Lê An" in log and "Đối thoại với nông dân" in log and "Hội Nông dân xã" in log
    # the day moved, in the commune's way of writing it; the leaders by name
    assert "10/04/2025" in log and "11/04/2025" in log and "Bí thư Đảng ủy" in log


def test_an_issue_answered_and_made_a_task(client, login, db, commune):
    dialogue = meeting(db, commune["nongdan"], held=True, attending=60)
    login("hoind", PASSWORD)
    text = "Đề nghị sửa đường nội đồng thôn Một trước mùa mưa, vì đường lầy lội " * 3
    client.post(f"/manage/dialogues/{dialogue.id}/issues", data={"text": text})
    issue = db.session.scalar(sa.select(DialogueIssue))
    base = f"/manage/dialogues/{dialogue.id}/issues/{issue.id}"
    empty = client.post(f"{base}/answer", data={"answer": " "})
    assert empty.status_code == 422
    assert client.post(f"{base}/answer", data={"answer": "Xã đã có kế hoạch."}).status_code == 302
    form = client.get(f"{base}/task").get_data(as_text=True)
    assert "Chương trình phối hợp giảm nghèo" in form and "Chương trình của Mặt trận" not in form
    assert "…" in form  # the title proposed is the issue's text, shortened
    task = {
        "programme": str(commune["programme"].id),
        "title": "Sửa đường nội đồng thôn Một",
        "owner": "Phạm Văn Thành",
        "due_on": "30/06/2025",
    }
    refused = client.post(f"{base}/task", data=task | {"programme": str(commune["other"].id)})
    assert refused.status_code == 422 and db.session.scalar(sa.select(Task)) is None
    assert client.post(f"{base}/task", data=task).status_code == 302
    made = db.session.scalar(sa.select(Task))
    db.session.refresh(issue)
    assert issue.task_id == made.id and made.organization_id == commune["nongdan"].id
    assert made.due_on == date(2025, 6, 30) and made.status == "planned"
    assert made.programme_id == commune["programme"].id
    assert client.post(f"{base}/task", data=task).status_code == 422  # a task already
    page = client.get(f"/manage/dialogues/{dialogue.id}").get_data(as_text=True)
    assert f"/manage/tasks/{made.id}" in page and "30/06/2025" in page
    assert "Xã đã có kế hoạch." in page
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"dialogue.issue", "dialogue.answer", "dialogue.task"} <= actions


def test_only_a_planned_meeting_without_issues_is_deleted_once_confirmed(
    client, login, db, commune
):
    planned = meeting(db, commune["nongdan"])
    held = meeting(db, commune["nongdan"], title="Đã họp", held=True)
    with_issue = meeting(db, commune["nongdan"], title="Có ý kiến")
    db.session.add(DialogueIssue(dialogue_id=with_issue.id, text="Ý kiến"))
    db.session.commit()
    login("hoind", PASSWORD)
    confirm = client.get(f"/manage/dialogues/{planned.id}/delete")
    assert confirm.status_code == 200 and "không thể hoàn tác" in confirm.get_data(as_text=True)
    assert db.session.get(Dialogue, planned.id) is not None  # asking is not deleting
    for kept in (held, with_issue):
        assert client.post(f"/manage/dialogues/{kept.id}/delete").status_code == 409
    assert client.post(f"/manage/dialogues/{planned.id}/delete").status_code == 302
    db.session.expire_all()
    remaining = set(db.session.scalars(sa.select(Dialogue.title)))
    assert remaining == {"Đã họp", "Có ý kiến"}
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.action.like("dialogue.%")))
