"""Where a task's evidence files are kept: the instance folder, or an S3-compatible store.

`EVIDENCE_STORE` chooses (docs/contract.md#evidence-files):

- `"local"` (the default): `instance/evidence/`, owner-only (0700; files 0600).
- `"s3"`: a bucket of any S3-compatible store (MinIO, Ceph, Garage, a cloud's object storage)
  through boto3: `EVIDENCE_S3_BUCKET`, `EVIDENCE_S3_ENDPOINT_URL` (none: AWS itself; with one,
  path-style addresses, as MinIO wants), `EVIDENCE_S3_REGION`, `EVIDENCE_S3_ACCESS_KEY_ID` and
  `EVIDENCE_S3_SECRET_ACCESS_KEY` (none: boto3's own chain: environment, profile, instance
  role) and `EVIDENCE_S3_PREFIX` before each name. Objects are written private (no ACL that
  opens them) and are only ever served through the application, which checks who may read them.

Either way a file is known by its stored name (random hex and the extension of its type) and
its preview by `preview_name()`; the rows stay in the database.
"""

from __future__ import annotations

import contextlib
import io
import os

from flask import current_app

from survey.core import private_files

FOLDER = "evidence"
STORES = ("local", "s3")


class StoreSettingError(RuntimeError):
    """EVIDENCE_STORE or the S3 settings cannot work: said at start, not at the first upload."""


def check_settings(config):
    """Refuse a store setting that cannot work (called when the app is made)."""
    kind = config.get("EVIDENCE_STORE") or "local"
    if kind not in STORES:
        raise StoreSettingError(f"EVIDENCE_STORE must be one of {STORES}, not {kind!r}")
    if kind != "s3":
        return
    if not config.get("EVIDENCE_S3_BUCKET"):
        raise StoreSettingError("EVIDENCE_STORE = 's3' needs EVIDENCE_S3_BUCKET")
    try:
        import boto3  # noqa: F401
    except ImportError as error:
        raise StoreSettingError(
            "EVIDENCE_STORE = 's3' needs boto3: pip install 'commune-survey[s3]'"
        ) from error


def preview_name(stored_name):
    """The preview's name beside a stored image."""
    return stored_name.rsplit(".", 1)[0] + "-small.jpg"


class LocalStore:
    """Files in the instance folder's `evidence/`, owner-only."""

    def __init__(self, instance_path):
        self.base = os.path.join(instance_path, FOLDER)
        self.instance_path = instance_path

    def put(self, name, data, content_type):
        private_files.private_folder(self.instance_path)
        private_files.private_folder(self.base)
        private_files.write_private_file(os.path.join(self.base, name), [data])

    def open(self, name):
        """The file to send (a path), or None when it is missing."""
        path = os.path.join(self.base, name)
        return path if os.path.isfile(path) else None

    def exists(self, name):
        return self.open(name) is not None

    def remove(self, name):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.base, name))


class S3Store:
    """Objects in a bucket of an S3-compatible store, through boto3."""

    def __init__(self, config):
        import boto3
        from botocore.config import Config

        endpoint = config.get("EVIDENCE_S3_ENDPOINT_URL") or None
        self.bucket = config["EVIDENCE_S3_BUCKET"]
        self.prefix = config.get("EVIDENCE_S3_PREFIX") or ""
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=config.get("EVIDENCE_S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("EVIDENCE_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("EVIDENCE_S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
            ),
        )

    def key(self, name):
        return self.prefix + name

    def put(self, name, data, content_type):
        self.client.put_object(
            Bucket=self.bucket, Key=self.key(name), Body=data, ContentType=content_type
        )

    def open(self, name):
        """The object's bytes as a file, or None when there is no such object."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if _not_found(error):
                return None
            raise
        with contextlib.closing(answer["Body"]) as body:
            return io.BytesIO(body.read())

    def exists(self, name):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if _not_found(error):
                return False
            raise
        return True

    def remove(self, name):
        # Deleting a missing key is no error in S3.
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))


def _not_found(error):
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def store():
    """The store EVIDENCE_STORE names, made once per app."""
    app = current_app._get_current_object()
    kept = app.extensions.get("evidence_store")
    if kept is None:
        if (app.config.get("EVIDENCE_STORE") or "local") == "s3":
            kept = S3Store(app.config)
        else:
            kept = LocalStore(app.instance_path)
        app.extensions["evidence_store"] = kept
    return kept
