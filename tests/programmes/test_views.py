"""The programme and task pages: who sees which forms, who may change what (an officer of
another organization gets 403, the committee and the inspector read only), the office's
programmes, a rejected form that keeps what was typed, the overdue first, and the audit in
words."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from survey.core.local_time import current_year
from survey.models import AuditLog, FeedbackItem, Programme, Task
from survey.programmes.listing import commune_today
from tests.programmes.programme_world import PASSWORD, make_task, make_world

TODAY = commune_today()


@pytest.fixture(autouse=True)
def _today():
    """The commune's day, read again as each test starts: a run crossing midnight in Vietnam
    (17:00 UTC) must not compare the day the module was imported with the pages' today."""
    global TODAY
    TODAY = commune_today()


@pytest.fixture
def world(db):
    found = make_world(db)
    found["programme"].year = TODAY.year
    own = make_task(
        db,
        found["programme"],
        found["nongdan"],
        title="Hướng dẫn hộ nghèo vay vốn",
        due_on=TODAY + timedelta(days=30),
    )
    theirs = make_task(
        db,
        found["programme"],
        found["phunu"],
        title="Hỗ trợ phụ nữ khởi nghiệp",
        owner="Nguyễn Thị Hoa, Chủ tịch Hội",
        due_on=TODAY - timedelta(days=3),
    )
    db.session.commit()
    return {
        "programme_id": found["programme"].id,
        "own": own.id,
        "theirs": theirs.id,
        "ids": {k: found[k].id for k in ("nongdan", "phunu", "ccb")},
    }


def task_of(db, task_id):
    db.session.expire_all()
    return db.session.get(Task, task_id)


def day(d):
    return d.strftime("%d/%m/%Y")


def task_form(organization_id, **fields):
    return {
        "title": "Tập huấn kỹ thuật trồng lúa",
        "organization": str(organization_id),
        "owner": "Phạm Văn Thành, Chủ tịch Hội",
        "supporting": "",
        "started_on": "",
        "due_on": day(TODAY + timedelta(days=60)),
    } | fields


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["committee", "inspector"])
def test_the_committee_and_the_inspector_read_without_any_form(client, login, world, who):
    login(who, PASSWORD)
    page = client.get(f"/manage/programmes/{world['programme_id']}").get_data(as_text=True)
    assert "Hướng dẫn hộ nghèo vay vốn" in page and "Hỗ trợ phụ nữ khởi nghiệp" in page
    assert "/tasks/new" not in page and "/edit" not in page
    task_page = client.get(f"/manage/tasks/{world['own']}").get_data(as_text=True)
    assert "<form" not in task_page.split('<footer class="site">')[0]
    for url, data in (
        (f"/manage/tasks/{world['own']}/state", {"step": "start"}),
        (f"/manage/tasks/{world['own']}/notes", {"written_on": day(TODAY), "text": "x"}),
        (f"/manage/tasks/{world['own']}/edit", task_form(world["ids"]["nongdan"])),
        (f"/manage/programmes/{world['programme_id']}/tasks/new", task_form(1)),
    ):
        assert client.post(url, data=data).status_code == 403


def test_an_officer_of_another_party_reads_but_does_not_change_the_task(client, login, db, world):
    login("other", PASSWORD)  # Hội Phụ nữ, a party of the programme too
    page = client.get(f"/manage/tasks/{world['own']}").get_data(as_text=True)
    assert "Hướng dẫn hộ nghèo vay vốn" in page and 'name="step"' not in page
    for url, data in (
        (f"/manage/tasks/{world['own']}/state", {"step": "start"}),
        (f"/manage/tasks/{world['own']}/notes", {"written_on": day(TODAY), "text": "x"}),
        (f"/manage/tasks/{world['own']}/edit", task_form(world["ids"]["nongdan"])),
    ):
        assert client.post(url, data=data).status_code == 403
    assert client.get(f"/manage/tasks/{world['own']}/edit").status_code == 403
    assert task_of(db, world["own"]).status == "planned"


def test_an_officer_outside_the_programme_does_not_see_it(client, login, world):
    login("outsider", PASSWORD)  # Hội Cựu chiến binh: not a party
    assert client.get(f"/manage/programmes/{world['programme_id']}").status_code == 403
    assert client.get(f"/manage/tasks/{world['own']}").status_code == 403
    listing = client.get("/manage/programmes/").get_data(as_text=True)
    assert "Chương trình phối hợp giảm nghèo" not in listing


def test_an_officer_adds_tasks_of_its_own_organization_only(client, login, db, world):
    login("officer", PASSWORD)
    url = f"/manage/programmes/{world['programme_id']}/tasks/new"
    form_page = client.get(url).get_data(as_text=True)
    assert "Hội Nông dân xã" in form_page and "<select" not in form_page
    refused = client.post(url, data=task_form(world["ids"]["phunu"]))
    assert refused.status_code == 422
    assert "chỉ thêm và sửa nhiệm vụ của tổ chức mình" in refused.get_data(as_text=True)
    added = client.post(url, data=task_form(world["ids"]["nongdan"]))
    assert added.status_code == 302
    task = db.session.scalar(sa.select(Task).where(Task.title == "Tập huấn kỹ thuật trồng lúa"))
    assert task.organization_id == world["ids"]["nongdan"]
    assert added.headers["Location"].endswith(f"/manage/tasks/{task.id}")


def test_a_rejected_task_form_keeps_what_was_typed_and_says_why(client, login, db, world):
    login("admin", PASSWORD)
    url = f"/manage/programmes/{world['programme_id']}/tasks/new"
    typed = task_form(
        world["ids"]["phunu"],
        title="Hội thi nấu ăn <ngon>",
        owner="Nguyễn Thị Hoa, Chủ tịch Hội",
        started_on="01/09/2025",
        due_on="31/02/2025",
    )
    response = client.post(url, data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Hội thi nấu ăn &lt;ngon&gt;"' in page
    assert 'value="Nguyễn Thị Hoa, Chủ tịch Hội"' in page and 'value="01/09/2025"' in page
    assert 'value="31/02/2025"' in page and "ngày/tháng/năm" in page
    assert re.search(rf'<option selected value="{world["ids"]["phunu"]}"', page)
    # a due date before the start: the service's refusal, on its field, the typing kept
    typed["due_on"] = "01/08/2025"
    page = client.post(url, data=typed).get_data(as_text=True)
    assert "Thời hạn không được trước ngày bắt đầu." in page and 'value="01/08/2025"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 2


# --- a task's page: state, notes, feedback --------------------------------------------------


def test_an_officer_moves_its_task_along_with_notes(client, login, db, world):
    login("officer", PASSWORD)
    base = f"/manage/tasks/{world['own']}"
    assert client.post(f"{base}/state", data={"step": "start"}).status_code == 302
    assert task_of(db, world["own"]).status == "in_progress"
    note = {"written_on": day(TODAY), "text": "Đã họp 3 chi hội."}
    assert client.post(f"{base}/notes", data=note).status_code == 302
    tomorrow = day(TODAY + timedelta(days=1))
    refused = client.post(f"{base}/state", data={"step": "finish", "done_on": tomorrow})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Ngày hoàn thành không được sau hôm nay." in page and f'value="{tomorrow}"' in page
    assert (
        client.post(f"{base}/state", data={"step": "finish", "done_on": day(TODAY)}).status_code
        == 302
    )
    page = client.get(base).get_data(as_text=True)
    assert "Đã họp 3 chi hội." in page and "Phạm Văn Thành" in page  # the note and its writer
    assert task_of(db, world["own"]).done_on == TODAY
    # done: the officer may not reopen it; the button is not there either
    assert 'value="reopen"' not in page
    assert client.post(f"{base}/state", data={"step": "reopen", "confirm": "y"}).status_code == 422
    assert task_of(db, world["own"]).status == "done"


def test_a_note_refused_keeps_its_text(client, login, world):
    login("officer", PASSWORD)
    response = client.post(
        f"/manage/tasks/{world['own']}/notes",
        data={"written_on": day(TODAY + timedelta(days=2)), "text": "Đã khảo sát 20 hộ."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ngày ghi tiến độ không được sau hôm nay." in page and "Đã khảo sát 20 hộ." in page


def test_cancelling_needs_a_reason_and_the_office_reopens_once_confirmed(client, login, db, world):
    login("officer", PASSWORD)
    base = f"/manage/tasks/{world['own']}"
    assert client.post(f"{base}/state", data={"step": "cancel", "reason": " "}).status_code == 422
    cancel = {"step": "cancel", "reason": "Trùng lịch bầu cử"}
    assert client.post(f"{base}/state", data=cancel).status_code == 302
    assert task_of(db, world["own"]).note == "Trùng lịch bầu cử"
    client.post("/logout")
    login("admin", PASSWORD)
    page = client.get(base).get_data(as_text=True)
    assert 'value="reopen"' in page and "Trùng lịch bầu cử" in page
    unconfirmed = client.post(f"{base}/state", data={"step": "reopen"})
    assert unconfirmed.status_code == 422
    assert "Đánh dấu vào ô để xác nhận." in unconfirmed.get_data(as_text=True)
    assert client.post(f"{base}/state", data={"step": "reopen", "confirm": "y"}).status_code == 302
    assert task_of(db, world["own"]).status == "planned"


def test_the_programme_page_lists_the_overdue_first_with_the_timeline(client, login, world):
    login("officer", PASSWORD)
    page = client.get(f"/manage/programmes/{world['programme_id']}").get_data(as_text=True)
    overdue, own = page.index("Hỗ trợ phụ nữ khởi nghiệp"), page.index("Hướng dẫn hộ nghèo vay")
    assert page.index("Quá hạn (1)") < overdue < own
    assert "trễ 3 ngày" in page
    assert 'data-kind="months"' in page and '<table class="grid months">' in page
    assert f"/manage/programmes/{world['programme_id']}/tasks/new" in page  # a party's officer


def test_the_task_page_links_its_evidence_and_the_feedback_its_readers_may_read(
    client, login, db, world
):
    task = task_of(db, world["own"])
    nongdan = db.session.get(type(task.organization), world["ids"]["nongdan"])
    db.session.add(
        FeedbackItem(organization=nongdan, text="Đề nghị hỗ trợ vốn vay cho hộ nghèo.", task=None)
    )
    db.session.flush()
    item = db.session.scalar(sa.select(FeedbackItem))
    item.task_id = task.id
    db.session.commit()
    login("officer", PASSWORD)
    page = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert f"/manage/tasks/{task.id}/evidence" in page and "Minh chứng (0)" in page
    assert "Đề nghị hỗ trợ vốn vay cho hộ nghèo." in page
    client.post("/logout")
    login("other", PASSWORD)  # reads the programme, not Hội Nông dân's feedback
    page = client.get(f"/manage/tasks/{task.id}").get_data(as_text=True)
    assert "Hướng dẫn hộ nghèo vay vốn" in page
    assert "Đề nghị hỗ trợ vốn vay" not in page


# --- the office's programmes ----------------------------------------------------------------


def programme_form(ids, **fields):
    return {
        "year": str(current_year()),
        "title": "Chương trình phối hợp an ninh trật tự",
        "topic": "An ninh trật tự",
        "parties": [str(i) for i in ids],
        "with_commune_government": "y",
    } | fields


def test_the_office_adds_a_programme_audited_in_words(client, login, db, world):
    login("admin", PASSWORD)
    form_page = client.get("/manage/programmes/new").get_data(as_text=True)
    assert "Hội Cựu chiến binh xã" in form_page  # every organization may be a party
    response = client.post("/manage/programmes/new", data=programme_form([world["ids"]["ccb"]]))
    assert response.status_code == 302
    programme = db.session.scalar(
        sa.select(Programme).where(Programme.title == "Chương trình phối hợp an ninh trật tự")
    )
    assert [p.code for p in programme.parties] == ["ccb"] and programme.with_commune_government
    listing = client.get(f"/manage/programmes/?year={current_year()}").get_data(as_text=True)
    assert "Chương trình phối hợp an ninh trật tự" in listing and "Ủy ban nhân dân xã" in listing
    audit = client.get("/manage/audit/").get_data(as_text=True)
    assert "đã thêm chương trình phối hợp “Chương trình phối hợp an ninh trật tự”" in audit


def test_a_task_added_is_audited_with_the_name_of_who_did_it(client, login, world):
    login("officer", PASSWORD)
    client.post(
        f"/manage/programmes/{world['programme_id']}/tasks/new",
        data=task_form(world["ids"]["nongdan"]),
    )
    client.post("/logout")
    login("admin", PASSWORD)
    audit = client.get("/manage/audit/").get_data(as_text=True)
    assert (
        "Phạm Văn Thành (Cán bộ tổ chức, đoàn thể) đã thêm nhiệm vụ “Tập huấn kỹ thuật trồng "
        "lúa” vào chương trình “Chương trình phối hợp giảm nghèo”"
    ) in audit


def test_a_title_taken_in_the_year_is_refused_and_the_form_kept(client, login, world):
    login("admin", PASSWORD)
    typed = programme_form(
        [world["ids"]["nongdan"]], title="Chương trình phối hợp giảm nghèo", topic="Giảm nghèo"
    )
    response = client.post("/manage/programmes/new", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "đã có chương trình mang tên này" in page and 'value="Giảm nghèo"' in page


def test_a_party_with_tasks_stays_and_a_programme_with_tasks_is_not_deleted(
    client, login, db, world
):
    login("admin", PASSWORD)
    url = f"/manage/programmes/{world['programme_id']}"
    without_phunu = programme_form([world["ids"]["nongdan"]], title="Chương trình mới")
    refused = client.post(f"{url}/edit", data=without_phunu)
    assert refused.status_code == 422
    assert "Hội Phụ nữ xã còn nhiệm vụ trong chương trình này" in refused.get_data(as_text=True)
    assert client.post(f"{url}/delete", data={"confirm": "y"}).status_code == 422
    db.session.expire_all()
    programme = db.session.get(Programme, world["programme_id"])
    assert programme.title == "Chương trình phối hợp giảm nghèo" and len(programme.parties) == 2


def test_an_empty_programme_is_deleted_once_confirmed(client, login, db, world):
    empty = Programme(year=2025, title="Chương trình nhập nhầm")
    db.session.add(empty)
    db.session.commit()
    login("admin", PASSWORD)
    assert "Xóa chương trình này" in client.get(f"/manage/programmes/{empty.id}/edit").get_data(
        as_text=True
    )
    assert client.post(f"/manage/programmes/{empty.id}/delete").status_code == 422
    assert (
        client.post(f"/manage/programmes/{empty.id}/delete", data={"confirm": "y"}).status_code
        == 302
    )
    assert db.session.scalar(sa.select(Programme).where(Programme.id == empty.id)) is None
    entry = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (
        entry.action == "programme.delete"
        and entry.details["programme"] == "Chương trình nhập nhầm"
    )


def test_the_workspace_home_opens_the_programmes_to_the_organizations_roles(client, login, world):
    login("committee", PASSWORD)
    assert "/manage/programmes/" in client.get("/manage/").get_data(as_text=True)
    client.post("/logout")
    login("village", PASSWORD)
    assert "/manage/programmes/" not in client.get("/manage/").get_data(as_text=True)


def test_ids_and_years_out_of_range_are_not_found(client, login, world):
    login("admin", PASSWORD)
    huge = "9" * 30
    for url in (
        f"/manage/tasks/{huge}",
        f"/manage/programmes/{huge}",
        f"/manage/programmes/?year={huge}",
        "/manage/programmes/?year=1200",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/manage/programmes/?year={date.today().year}").status_code == 200


def test_spaces_are_not_a_title_nor_a_due_date(client, login, db, world):
    login("admin", PASSWORD)
    url = f"/manage/programmes/{world['programme_id']}/tasks/new"
    for blank in ({"title": "   "}, {"owner": " "}, {"due_on": "  "}):
        response = client.post(url, data=task_form(world["ids"]["nongdan"], **blank))
        assert response.status_code == 422, blank
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 2


def test_the_audit_log_words_a_tasks_changes(client, login, world):
    login("officer", PASSWORD)
    moved = TODAY + timedelta(days=45)
    client.post(
        f"/manage/tasks/{world['own']}/edit",
        data=task_form(
            world["ids"]["nongdan"], title="Hướng dẫn hộ nghèo vay vốn", due_on=day(moved)
        ),
    )
    client.post(
        f"/manage/tasks/{world['own']}/state", data={"step": "finish", "done_on": day(TODAY)}
    )
    client.post("/logout")
    login("admin", PASSWORD)
    audit = client.get("/manage/audit/").get_data(as_text=True)
    assert "đã sửa nhiệm vụ “Hướng dẫn hộ nghèo vay vốn”" in audit
    assert "đã đánh dấu hoàn thành nhiệm vụ “Hướng dẫn hộ nghèo vay vốn”" in audit
    assert "Hạn hoàn thành" in audit and day(moved) in audit  # the day as people write it
    assert "Chưa thực hiện" in audit and "Đã hoàn thành" in audit  # the states in words
