"""Evidence files in an S3-compatible store (EVIDENCE_STORE = "s3"): the same checks and the
same answers as in the instance folder, the objects in the bucket and nothing on disk.

The bucket is in moto's S3 server, started by the test on a free port of 127.0.0.1: boto3
signs each request and sends it over HTTP, as to MinIO (a custom endpoint, path-style
addresses), and moto answers as S3 would. Nothing leaves the machine.
"""

import io
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from survey.programmes import evidence_store
from tests.programmes import test_evidence
from tests.programmes.test_evidence import (
    PASSWORD,
    PDF,
    fetch,
    gps_exif,
    image_bytes,
    rows,
    stored_files,
    upload,
)

world = test_evidence.world  # the same task of the Farmers' Union, its officers and readers

BUCKET = "minh-chung"
KEYS = {"EVIDENCE_S3_ACCESS_KEY_ID": "test-key", "EVIDENCE_S3_SECRET_ACCESS_KEY": "test-secret"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    """moto's S3 server on 127.0.0.1, for this module's tests."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(endpoint):
    """An empty bucket behind the endpoint; a boto3 client to look into it."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["EVIDENCE_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["EVIDENCE_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield client
    for key in keys(client):
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


@pytest.fixture
def app(make_app, bucket, endpoint):
    app = make_app(
        EVIDENCE_STORE="s3",
        EVIDENCE_S3_BUCKET=BUCKET,
        EVIDENCE_S3_ENDPOINT_URL=endpoint,
        EVIDENCE_S3_PREFIX="xa-ha-tam/",
        **KEYS,
    )
    with app.app_context():
        yield app


def keys(bucket):
    listed = bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return sorted(item["Key"] for item in listed)


def stored_object(bucket, name):
    return bucket.get_object(Bucket=BUCKET, Key="xa-ha-tam/" + name)["Body"].read()


def test_a_photo_goes_to_the_bucket_without_its_location_and_nothing_to_disk(
    client, login, db, world, bucket, instance_path
):
    login("officer", PASSWORD)
    response = upload(client, world["task_id"], image_bytes(exif=gps_exif()), "ảnh.jpg")
    assert response.status_code == 302
    (evidence,) = rows(db)
    name = evidence.stored_name
    assert keys(bucket) == sorted(
        ["xa-ha-tam/" + name, "xa-ha-tam/" + evidence_store.preview_name(name)]
    )
    stored = stored_object(bucket, name)
    assert evidence.size == len(stored) and b"PhoneMaker" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
        assert image.size == (48, 64)
    head = bucket.head_object(Bucket=BUCKET, Key="xa-ha-tam/" + name)
    assert head["ContentType"] == "image/jpeg"
    assert stored_files(instance_path) == []


def test_a_pdf_from_the_bucket_is_served_as_a_download_to_readers_only(
    client, login, db, world, bucket
):
    login("officer", PASSWORD)
    assert upload(client, world["task_id"], PDF, "bien-ban.pdf").status_code == 302
    (evidence,) = rows(db)
    login("committee", PASSWORD)
    response = fetch(client, f"/manage/evidence/{evidence.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    login("other", PASSWORD)
    assert client.get(f"/manage/evidence/{evidence.id}").status_code == 403
    client.post("/logout")
    response = client.get(f"/manage/evidence/{evidence.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_refused_file_puts_nothing_in_the_bucket(client, login, db, world, bucket):
    login("officer", PASSWORD)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = upload(client, world["task_id"], svg, "hinh.svg", caption="Chú thích đã gõ")
    assert response.status_code == 422
    assert 'value="Chú thích đã gõ"' in response.get_data(as_text=True)
    assert rows(db) == [] and keys(bucket) == []


def test_deleting_removes_the_objects_and_a_missing_object_is_not_found(
    client, login, db, world, bucket
):
    login("officer", PASSWORD)
    upload(client, world["task_id"], image_bytes(), "anh.jpg")
    upload(client, world["task_id"], PDF, "bien-ban.pdf")
    photo, pdf = rows(db)
    assert len(keys(bucket)) == 3  # the photo, its preview and the PDF
    client.post(f"/manage/evidence/{photo.id}/delete")
    assert keys(bucket) == ["xa-ha-tam/" + pdf.stored_name]
    bucket.delete_object(Bucket=BUCKET, Key="xa-ha-tam/" + pdf.stored_name)
    assert fetch(client, f"/manage/evidence/{pdf.id}").status_code == 404


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"EVIDENCE_STORE": "s3"}, "EVIDENCE_S3_BUCKET"),
        ({"EVIDENCE_STORE": "ftp"}, "EVIDENCE_STORE must be one of"),
    ],
)
def test_a_store_setting_that_cannot_work_stops_the_start(make_app, settings, words):
    with pytest.raises(evidence_store.StoreSettingError, match=words):
        make_app(**settings)
