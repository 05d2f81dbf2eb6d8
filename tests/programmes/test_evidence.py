"""A task's evidence files: what is accepted (by content, never by name), photos stored without
their metadata, a refused upload leaves nothing, who may read a file and the headers it gets."""

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.models import AuditLog, Programme, Task, TaskEvidence
from tests.factories import make_organization, make_user

PASSWORD = "a-long-password"
GPS = 0x8825


@pytest.fixture
def world(db):
    nongdan = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    phunu = make_organization(db, code="phunu", name="Hội Phụ nữ xã")
    programme = Programme(year=2025, title="Chương trình phối hợp giảm nghèo")
    programme.parties.extend([nongdan, phunu])
    task = Task(
        programme=programme,
        organization_id=nongdan.id,
        title="Sửa đường vào khu sản xuất",
        owner="Phạm Văn Thành",
        due_on=date(2025, 6, 30),
    )
    db.session.add_all([programme, task])
    make_user(db, username="admin", role="admin", password=PASSWORD)
    make_user(db, username="committee", role="committee", password=PASSWORD)
    make_user(db, username="officer", role="org_officer", organization=nongdan, password=PASSWORD)
    make_user(db, username="other", role="org_officer", organization=phunu, password=PASSWORD)
    db.session.commit()
    return {"task_id": task.id}


def image_bytes(kind="JPEG", size=(64, 48), exif=None, mode="RGB"):
    out = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    options = {"exif": exif} if exif is not None else {}
    image.save(out, kind, **options)
    return out.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: turned 90°
    exif[GPS] = {1: "N", 2: (21.0, 2.0, 3.0), 3: "E", 4: (105.0, 48.0, 0.0)}
    return exif


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(client, task_id, data, name, caption="Ảnh hiện trường", public=False):
    """POST the upload form; the body encoded here, in memory (the test client's own encoding
    leaves a temporary file open for a large body)."""
    form = {"file": FileStorage(io.BytesIO(data), name), "caption": caption}
    if public:
        form["public"] = "y"
    boundary, body = encode_multipart(form)
    return client.post(
        f"/manage/tasks/{task_id}/evidence",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored_files(instance_path):
    folder = instance_path / "evidence"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def fetch(client, url):
    """GET `url`, its body read and the file behind it closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def rows(db):
    db.session.expire_all()
    return db.session.scalars(sa.select(TaskEvidence).order_by(TaskEvidence.id)).all()


def test_a_photo_is_stored_without_its_location_and_turned_upright(
    client, login, db, world, instance_path
):
    login("officer", PASSWORD)
    response = upload(client, world["task_id"], image_bytes(exif=gps_exif()), "ảnh.jpg")
    assert response.status_code == 302
    (evidence,) = rows(db)
    assert evidence.content_type == "image/jpeg" and evidence.filename == "ảnh.jpg"
    assert evidence.stored_name.endswith(".jpg") and "ảnh" not in evidence.stored_name
    stored = (instance_path / "evidence" / evidence.stored_name).read_bytes()
    assert evidence.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif() and "exif" not in image.info
        assert image.size == (48, 64)  # the orientation was applied, then dropped
    assert b"PhoneMaker" not in stored
    # Owner-only folder and file.
    assert (instance_path / "evidence").stat().st_mode & 0o077 == 0
    assert (instance_path / "evidence" / evidence.stored_name).stat().st_mode & 0o077 == 0
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "evidence.upload"))
    assert entry.details["filename"] == "ảnh.jpg"
    assert entry.details["task"] == "Sửa đường vào khu sản xuất"


def test_the_audit_log_says_the_upload_in_words(client, login, db, world):
    login("admin", PASSWORD)
    upload(client, world["task_id"], image_bytes(), "ảnh.jpg")
    page = client.get("/manage/audit/").get_data(as_text=True)
    assert "đã tải lên minh chứng “ảnh.jpg” cho nhiệm vụ “Sửa đường vào khu sản xuất”" in page


def test_a_png_and_a_webp_are_accepted_in_their_own_format(client, login, db, world):
    login("officer", PASSWORD)
    assert upload(client, world["task_id"], image_bytes("PNG"), "so-do.png").status_code == 302
    # A WebP named .jpg is a WebP: the name decides nothing.
    assert upload(client, world["task_id"], image_bytes("WEBP"), "anh.jpg").status_code == 302
    assert [e.content_type for e in rows(db)] == ["image/png", "image/webp"]
    assert rows(db)[1].stored_name.endswith(".webp")


def test_a_pdf_is_accepted_and_served_as_a_download(client, login, db, world):
    login("officer", PASSWORD)
    assert upload(client, world["task_id"], PDF, "bien-ban.pdf").status_code == 302
    (evidence,) = rows(db)
    assert evidence.content_type == "application/pdf"
    response = fetch(client, f"/manage/evidence/{evidence.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_photo_is_served_with_its_stored_type(client, login, db, world):
    login("officer", PASSWORD)
    upload(client, world["task_id"], image_bytes("PNG"), "anh.jpg")
    (evidence,) = rows(db)
    login("committee", PASSWORD)
    response = fetch(client, f"/manage/evidence/{evidence.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "anh.png" in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "anh.jpg"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "hinh.svg",
        ),
        (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "bien-ban.pdf"),  # no %%EOF
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anh.gif"),
        (image_bytes()[:40], "hong.jpg"),  # a JPEG cut short
    ],
    ids=["html-named-jpg", "svg", "pdf-without-end", "gif", "broken-jpeg"],
)
def test_what_is_not_a_photo_or_a_pdf_is_refused_and_nothing_is_kept(
    client, login, db, world, instance_path, data, name
):
    login("officer", PASSWORD)
    response = upload(client, world["task_id"], data, name, caption="Chú thích đã gõ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "JPEG, PNG, WebP" in page and "PDF" in page
    assert 'value="Chú thích đã gõ"' in page  # the caption typed is kept
    assert rows(db) == [] and stored_files(instance_path) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 0


def test_a_file_over_the_limit_is_refused_with_the_limit_said(make_app, db, world, instance_path):
    app = make_app(EVIDENCE_MAX_BYTES=2000)
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    big = image_bytes("PNG", size=(300, 300), mode="RGB") + b"\0" * 3000
    response = upload(client, world["task_id"], big, "lon.png", caption="Ảnh lớn")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "2 KB" in page and 'value="Ảnh lớn"' in page
    # Far over the limit: the body itself is refused, with a page that says the limit.
    response = upload(client, world["task_id"], b"x" * 200_000, "rat-lon.png")
    assert response.status_code == 413 and "2 KB" in response.get_data(as_text=True)
    with app.app_context():
        assert rows(db) == [] and stored_files(instance_path) == []


def test_the_default_limit_is_ten_megabytes_and_lets_a_photo_through(app, client, login, world):
    assert app.config["EVIDENCE_MAX_BYTES"] == 10 * 1024 * 1024
    login("officer", PASSWORD)
    # Larger than the site's 1 MiB limit for forms of text.
    photo = image_bytes("PNG", size=(1200, 1000)) + b"\0" * 1_200_000
    assert len(photo) > app.config["MAX_CONTENT_LENGTH"]
    response = upload(client, world["task_id"], photo, "anh.png")
    assert response.status_code == 302


def test_a_decompression_bomb_is_refused(client, login, db, world, monkeypatch):
    from survey.programmes import evidence

    monkeypatch.setattr(evidence, "MAX_PIXELS", 1000)
    login("officer", PASSWORD)
    response = upload(client, world["task_id"], image_bytes("PNG", size=(100, 100)), "a.png")
    assert response.status_code == 422 and "điểm ảnh" in response.get_data(as_text=True)
    assert rows(db) == []


def test_evidence_is_not_served_to_another_organization_nor_to_anonymous(client, login, db, world):
    login("officer", PASSWORD)
    upload(client, world["task_id"], PDF, "bien-ban.pdf")
    (evidence,) = rows(db)
    client.post("/logout")
    response = client.get(f"/manage/evidence/{evidence.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login("other", PASSWORD)
    assert client.get(f"/manage/evidence/{evidence.id}").status_code == 403
    assert client.get(f"/manage/tasks/{world['task_id']}/evidence").status_code == 403
    assert upload(client, world["task_id"], PDF, "x.pdf").status_code == 403
    assert client.post(f"/manage/evidence/{evidence.id}/delete").status_code == 403


def test_readers_see_the_list_without_the_upload_form(client, login, db, world):
    login("officer", PASSWORD)
    upload(client, world["task_id"], PDF, "bien-ban.pdf", caption="Biên bản nghiệm thu")
    login("committee", PASSWORD)
    page = client.get(f"/manage/tasks/{world['task_id']}/evidence").get_data(as_text=True)
    assert "bien-ban.pdf" in page and "Biên bản nghiệm thu" in page
    assert "Chương trình phối hợp giảm nghèo" in page and "Sửa đường vào khu sản xuất" in page
    assert 'type="file"' not in page
    assert f'href="/manage/tasks/{world["task_id"]}"' in page


def test_making_public_and_deleting_are_audited_and_delete_removes_the_file(
    client, login, db, world, instance_path
):
    login("officer", PASSWORD)
    upload(client, world["task_id"], image_bytes(), "anh.jpg")
    (evidence,) = rows(db)
    assert not evidence.public and len(stored_files(instance_path)) == 2  # with its preview
    client.post(f"/manage/evidence/{evidence.id}/public", data={"public": "1"})
    assert rows(db)[0].public
    confirm = client.get(f"/manage/evidence/{evidence.id}/delete")
    assert "không thể hoàn tác" in confirm.get_data(as_text=True).lower()
    assert rows(db)  # asking deletes nothing
    response = client.post(f"/manage/evidence/{evidence.id}/delete")
    assert response.status_code == 302
    assert rows(db) == [] and stored_files(instance_path) == []
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["evidence.upload", "evidence.publish", "evidence.delete"]
