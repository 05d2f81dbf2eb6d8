"""From feedback to task to "we did it": an item becomes a task (or is attached to one), the
public page and the receipt page say how far it came with the photos the officers published,
and nothing else of a task's evidence reaches the public."""

import io
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.core.local_time import current_year
from survey.models import AuditLog, FeedbackItem, Programme, ReceiptCode, Task, TaskEvidence
from tests.factories import make_organization, make_survey, make_user

PASSWORD = "a-long-password"
YEAR = current_year()


@pytest.fixture(autouse=True)
def _year():
    """The commune's year, read again as each test starts (a run may cross the new year)."""
    global YEAR
    YEAR = current_year()


RECEIPT = "ABCD2345"


@pytest.fixture
def world(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã")
    survey = make_survey(db, [{"code": "y", "kind": "text", "feedback": True}], code="nd")
    survey.organizations.append(nongdan)
    programme = Programme(year=YEAR, title="Chương trình giảm nghèo", parties=[nongdan])
    older = Programme(year=YEAR - 1, title="Chương trình năm trước", parties=[nongdan])
    other_programme = Programme(year=YEAR, title="Chương trình của Hội Phụ nữ", parties=[phunu])
    db.session.add_all([programme, older, other_programme])
    open_task = Task(
        programme=programme,
        organization=nongdan,
        title="Nạo vét kênh mương",
        owner="Lê Văn Bình",
        due_on=date(YEAR, 9, 30),
    )
    db.session.add(open_task)
    item = FeedbackItem(
        organization=nongdan,
        survey=survey,
        text="Đường vào khu sản xuất thôn 2 lầy lội mỗi khi mưa, xe chở lúa không vào được, "
        "đề nghị Hội kiến nghị xã đổ bê tông.",
        status="answered",
        public_reply="Hội đã kiến nghị xã; xã đồng ý đổ bê tông trong năm.",
        published=True,
        answered_at=datetime(YEAR, 1, 5, tzinfo=timezone.utc),
        received_at=datetime(YEAR, 1, 2, tzinfo=timezone.utc),
    )
    db.session.add(item)
    db.session.add(ReceiptCode(code=RECEIPT, survey_id=survey.id))
    make_user(db, username="admin", role="admin", password=PASSWORD)
    make_user(db, username="committee", role="committee", password=PASSWORD)
    make_user(db, username="officer", role="org_officer", organization=nongdan, password=PASSWORD)
    make_user(db, username="other", role="org_officer", organization=phunu, password=PASSWORD)
    db.session.commit()
    return {
        "item": item.id,
        "programme": programme.id,
        "older": older.id,
        "other_programme": other_programme.id,
        "open_task": open_task.id,
    }


def photo_bytes():
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def upload(client, task_id, data, name, public=True):
    form = {"file": FileStorage(io.BytesIO(data), name), "caption": "Đường đã đổ bê tông"}
    if public:
        form["public"] = "y"
    boundary, body = encode_multipart(form)
    return client.post(
        f"/manage/tasks/{task_id}/evidence",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def new_task(client, item_id, **fields):
    data = {
        "programme": fields.get("programme"),
        "title": "Đổ bê tông đường vào khu sản xuất thôn 2",
        "owner": "Phạm Văn Thành, Phó Chủ tịch Hội",
        "due": f"30/06/{YEAR}",
    } | fields
    return client.post(f"/manage/feedback/{item_id}/task", data=data)


def fetch(client, url):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def item_of(db, item_id):
    db.session.expire_all()
    return db.session.get(FeedbackItem, item_id)


def test_feedback_to_task_to_done_shows_on_the_public_and_receipt_pages(client, login, db, world):
    login("officer", PASSWORD)
    form = client.get(f"/manage/feedback/{world['item']}").get_data(as_text=True)
    assert "Tạo nhiệm vụ từ góp ý này" in form
    # The programmes offered are this year's of the organization, by title; the title
    # offered is a short version of the feedback.
    assert "Chương trình giảm nghèo" in form and "Chương trình năm trước" not in form
    assert "Chương trình của Hội Phụ nữ" not in form
    assert 'value="Đường vào khu sản xuất thôn 2 lầy lội' in form and "…" in form

    response = new_task(client, world["item"], programme=world["programme"])
    assert response.status_code == 302
    item = item_of(db, world["item"])
    task = db.session.get(Task, item.task_id)
    assert task.organization_id == item.organization_id and task.status == "planned"
    assert task.due_on == date(YEAR, 6, 30) and task.owner.startswith("Phạm Văn Thành")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "feedback.task_create"))
    assert entry.details["task"] == task.title

    page = client.get(f"/manage/feedback/{world['item']}").get_data(as_text=True)
    assert f'href="/manage/tasks/{task.id}"' in page and f"30/06/{YEAR}" in page

    public = client.get("/feedback").get_data(as_text=True)
    assert f"Đang xử lý – hạn ngày 30/06/{YEAR}" in public

    assert upload(client, task.id, photo_bytes(), "anh.jpg").status_code == 302
    assert upload(client, task.id, photo_bytes(), "rieng.jpg", public=False).status_code == 302
    shown, hidden = db.session.scalars(sa.select(TaskEvidence).order_by(TaskEvidence.id)).all()
    task.status, task.done_on = "done", date(YEAR, 6, 28)
    db.session.commit()

    client.post("/logout")
    for url in ("/feedback", f"/r/{RECEIPT}"):
        page = client.get(url).get_data(as_text=True)
        assert f"Đã làm xong ngày 28/06/{YEAR}" in page, url
        assert f"Đã làm: Đổ bê tông đường vào khu sản xuất thôn 2, ngày 28/06/{YEAR}" in page
        assert f'src="/feedback/evidence/{shown.id}"' in page, url
        assert 'loading="lazy"' in page and 'width="320" height="240"' in page
        assert f"/feedback/evidence/{hidden.id}" not in page, url
    image = fetch(client, f"/feedback/evidence/{shown.id}")
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Cache-Control"] == "public, max-age=600"
    with Image.open(io.BytesIO(image.data)) as preview:
        assert preview.size == (320, 240)
    full = fetch(client, f"/feedback/evidence/{shown.id}?full=1")
    assert full.status_code == 200 and len(full.data) == shown.size


def test_an_item_without_a_task_reads_received(client, db, world):
    page = client.get("/feedback").get_data(as_text=True)
    assert "Đã tiếp nhận" in page
    assert "Đã tiếp nhận" in client.get(f"/r/{RECEIPT}").get_data(as_text=True)


def test_a_cancelled_task_says_why(client, db, world):
    item_of(db, world["item"]).task_id = world["open_task"]
    task = db.session.get(Task, world["open_task"])
    task.status, task.note = "cancelled", "Xã đã đưa vào dự án nông thôn mới"
    db.session.commit()
    page = client.get("/feedback").get_data(as_text=True)
    assert "Không thực hiện: Xã đã đưa vào dự án nông thôn mới" in page


def add_evidence(db, task_id, public=True, content_type="image/jpeg"):
    evidence = TaskEvidence(
        task_id=task_id,
        stored_name=f"{len(db.session.scalars(sa.select(TaskEvidence)).all()):032d}.jpg",
        filename="anh.jpg",
        content_type=content_type,
        size=10,
        public=public,
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence.id


def test_only_public_photos_of_published_items_are_served_publicly(
    client, login, db, world, instance_path
):
    task_id = world["open_task"]
    login("officer", PASSWORD)
    upload(client, task_id, photo_bytes(), "anh.jpg")
    photo = db.session.scalar(sa.select(TaskEvidence))
    client.post("/logout")
    # Its task answers no published item yet.
    assert fetch(client, f"/feedback/evidence/{photo.id}").status_code == 404
    item_of(db, world["item"]).task_id = task_id
    db.session.commit()
    assert fetch(client, f"/feedback/evidence/{photo.id}").status_code == 200
    # Not public; a PDF made public; the item withdrawn from the public page: 404 each.
    private = add_evidence(db, task_id, public=False)
    pdf = add_evidence(db, task_id, content_type="application/pdf")
    assert fetch(client, f"/feedback/evidence/{private}").status_code == 404
    assert fetch(client, f"/feedback/evidence/{pdf}").status_code == 404
    item_of(db, world["item"]).published = False
    db.session.commit()
    assert fetch(client, f"/feedback/evidence/{photo.id}").status_code == 404
    assert fetch(client, "/feedback/evidence/999999").status_code == 404


def test_officers_of_another_organization_and_readers_cannot_link(client, login, db, world):
    for username in ("other", "committee"):
        login(username, PASSWORD)
        item = world["item"]
        assert new_task(client, item, programme=world["programme"]).status_code == 403
        response = client.post(
            f"/manage/feedback/{item}/task/attach", data={"task": world["open_task"]}
        )
        assert response.status_code == 403
        assert client.post(f"/manage/feedback/{item}/task/detach").status_code == 403
    assert item_of(db, world["item"]).task_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_attach_and_detach_are_audited(client, login, db, world):
    login("officer", PASSWORD)
    page = client.get(f"/manage/feedback/{world['item']}").get_data(as_text=True)
    assert "Gắn vào nhiệm vụ đã có" in page and "Nạo vét kênh mương" in page
    response = client.post(
        f"/manage/feedback/{world['item']}/task/attach", data={"task": world["open_task"]}
    )
    assert response.status_code == 302
    assert item_of(db, world["item"]).task_id == world["open_task"]
    # A second link is refused while the first holds.
    response = new_task(client, world["item"], programme=world["programme"])
    assert response.status_code == 422
    assert client.post(f"/manage/feedback/{world['item']}/task/detach").status_code == 302
    assert item_of(db, world["item"]).task_id is None
    assert db.session.get(Task, world["open_task"]) is not None  # the task stays
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["feedback.task_attach", "feedback.task_detach"]
    login("admin", PASSWORD)
    log = client.get("/manage/audit/").get_data(as_text=True)
    assert "đã gắn một góp ý gửi Hội Nông dân xã vào nhiệm vụ “Nạo vét kênh mương”" in log


def test_a_refused_task_keeps_what_was_typed_and_says_why(client, login, db, world):
    login("officer", PASSWORD)
    response = new_task(
        client, world["item"], programme=world["other_programme"], due="31/02/2025", title="Sửa"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Sửa"' in page and 'value="31/02/2025"' in page
    assert "ngày/tháng/năm" in page and "chương trình" in page.lower()
    assert item_of(db, world["item"]).task_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 1
