"""Evidence files of a task: photos from a phone and scanned minutes, checked by their content.

What a file is comes from its bytes, never from its name or the type the browser sent: JPEG,
PNG and WebP are opened by Pillow (only those three decoders are tried), checked, turned the
right way up by their EXIF orientation and saved anew in the same format with no metadata at
all (no EXIF, so no GPS position; no XMP, no ICC profile, no comments); a PDF is known by its
`%PDF-` header and its `%%EOF` end. Anything else (SVG, HTML renamed .jpg, a Word file) is
refused with the list of what is accepted. Each image also gets a small preview (PREVIEW_SIZE,
JPEG) for the public feedback page, named after the stored file.

Files live in `instance/evidence/` (owner-only), or in an S3-compatible bucket by
configuration (survey/programmes/evidence_store.py), by random names; the row keeps the name
the file was uploaded with only to show it. Services flush; the view commits, and removes the files
of a refused commit or of a deleted row after its commit.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, send_file
from PIL import Image, ImageOps, UnidentifiedImageError

from survey.audit import trail
from survey.core.extensions import db
from survey.core.text_safety import strip_control
from survey.models import Task, TaskEvidence, User
from survey.programmes import evidence_store
from survey.programmes.evidence_store import preview_name

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
# More pixels than any phone's photo (a 108 MP sensor saves 12 MP by default): a small file
# that would open as a giant image (a decompression bomb) is refused before it is decoded.
MAX_PIXELS = 60_000_000
# The public page's preview: fits in this box, padded to it, so pages give its exact size.
PREVIEW_SIZE = (320, 240)
PREVIEW_BACKGROUND = (240, 240, 240)
# Where a PDF's end marker must be: a PDF ends with %%EOF and at most a few bytes after it.
PDF_TAIL = 1024
# The sandbox stops anything a file might hold from running, even opened on its own.
FILE_CSP = "default-src 'none'; sandbox"
CAPTION_LENGTH = 300
FILENAME_LENGTH = 200


class EvidenceRefused(Exception):
    """An upload that is not kept; `reason` is one of REASONS (the view words it)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


REASONS = ("empty", "too large", "not accepted", "damaged image", "too many pixels")


@dataclass(frozen=True)
class CheckedFile:
    """An accepted file: its type found from its content, and the bytes to store."""

    content_type: str
    data: bytes
    preview: bytes | None = None

    @property
    def extension(self):
        return EXTENSIONS[self.content_type]


def check_file(data: bytes, max_bytes: int) -> CheckedFile:
    """The file to store for the uploaded bytes `data`; EvidenceRefused otherwise."""
    if not data:
        raise EvidenceRefused("empty")
    if len(data) > max_bytes:
        raise EvidenceRefused("too large")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-PDF_TAIL:]:
            raise EvidenceRefused("not accepted")
        return CheckedFile("application/pdf", data)
    return _checked_image(data)


def _checked_image(data):
    try:
        with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as probe:
            kind = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise EvidenceRefused("too many pixels")
            probe.verify()
    except UnidentifiedImageError as error:
        raise EvidenceRefused("not accepted") from error
    except Image.DecompressionBombError as error:
        raise EvidenceRefused("too many pixels") from error
    except (OSError, SyntaxError, ValueError) as error:  # what Pillow raises for a broken file
        raise EvidenceRefused("damaged image") from error
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return CheckedFile(
                IMAGE_FORMATS[kind], _without_metadata(upright, kind), _preview(upright)
            )
    except (OSError, SyntaxError, ValueError) as error:
        raise EvidenceRefused("damaged image") from error


def _without_metadata(image, kind):
    """The image saved anew in its format with nothing but its pixels (and a PNG's
    transparency, which is part of the picture)."""
    palette = image.getpalette() if image.mode in ("P", "PA") else None
    kept = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
    # A new image of the same pixels: nothing the opened file carried comes along.
    image = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode in ("P", "PA"):
        image.putpalette(palette)
    out = io.BytesIO()
    if kind == "JPEG":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif kind == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True, **kept)
    return out.getvalue()


def _preview(image):
    """A small JPEG of the image, fitted into PREVIEW_SIZE and padded to it."""
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, PREVIEW_BACKGROUND)
    flat.paste(rgba, mask=rgba.getchannel("A"))
    small = ImageOps.pad(flat, PREVIEW_SIZE, color=PREVIEW_BACKGROUND)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=72, optimize=True)
    return out.getvalue()


# --- files kept (survey/programmes/evidence_store.py: the instance folder or an S3 bucket) ----


def stored(evidence, preview=False):
    """Whether an evidence file (or its preview) is in the store."""
    name = preview_name(evidence.stored_name) if preview else evidence.stored_name
    return evidence_store.store().exists(name)


def remove_files(stored_names):
    """Remove the files (and previews) of these stored names; a missing one is no matter."""
    kept = evidence_store.store()
    for name in stored_names:
        for each in (name, preview_name(name)):
            kept.remove(each)


def keep_files(stored_name, checked):
    """Put an accepted file (and its preview) in the store under `stored_name`; if the
    preview cannot be put, the file goes again."""
    kept = evidence_store.store()
    kept.put(stored_name, checked.data, checked.content_type)
    if checked.preview is not None:
        try:
            kept.put(preview_name(stored_name), checked.preview, "image/jpeg")
        except BaseException:
            kept.remove(stored_name)
            raise


# --- changes ---------------------------------------------------------------------------------


def clean_filename(name):
    """The uploaded file's own name, as shown: no folders, no control characters."""
    name = strip_control(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-FILENAME_LENGTH:] or "tệp"


def download_name(evidence):
    """The name a download gets: the uploaded name with the extension of its real type."""
    stem = evidence.filename.rsplit(".", 1)[0] if "." in evidence.filename else evidence.filename
    return (stem or "minh-chung") + EXTENSIONS[evidence.content_type]


def add_evidence(task, checked, filename, caption, public, user):
    """Store an accepted file for `task` and its row, audited; returns the row (flushed).

    The file is written first; if the row cannot be flushed, the file goes again. After a
    failed commit, the view calls remove_files([row.stored_name])."""
    stored_name = secrets.token_hex(16) + checked.extension
    keep_files(stored_name, checked)
    try:
        evidence = TaskEvidence(
            task_id=task.id,
            stored_name=stored_name,
            filename=clean_filename(filename),
            content_type=checked.content_type,
            size=len(checked.data),
            caption=strip_control(caption or "").strip()[:CAPTION_LENGTH],
            public=bool(public),
            uploaded_by_id=user.id,
        )
        db.session.add(evidence)
        db.session.flush()
        _record("evidence.upload", evidence, task, user, public=evidence.public)
    except BaseException:
        remove_files([stored_name])
        raise
    return evidence


def set_public(evidence, public, user):
    """Show the evidence beside the task's published feedback, or stop; audited when changed."""
    if evidence.public == bool(public):
        return False
    evidence.public = bool(public)
    _record("evidence.publish" if public else "evidence.unpublish", evidence, evidence.task, user)
    return True


def delete_evidence(evidence, user):
    """Delete the row, audited; returns the stored name, whose files the view removes after
    its commit."""
    stored_name = evidence.stored_name
    _record("evidence.delete", evidence, evidence.task, user)
    db.session.delete(evidence)
    db.session.flush()
    return stored_name


def _record(action, evidence, task, user, **details):
    trail.record(
        action,
        f"task:{task.id}",
        user=user,
        organization=task.organization.code,
        task=task.title,
        filename=evidence.filename,
        **details,
    )


# --- reading ---------------------------------------------------------------------------------


def task_with_evidence(task_id):
    """The task (its programme, organization and evidence loaded), or None."""
    return db.session.get(
        Task,
        task_id,
        options=[
            sa.orm.joinedload(Task.programme),
            sa.orm.joinedload(Task.organization),
            sa.orm.selectinload(Task.evidence),
        ],
    )


def evidence_for(evidence_id):
    """An evidence row with its task and the task's organization, or None."""
    return db.session.get(
        TaskEvidence,
        evidence_id,
        options=[sa.orm.joinedload(TaskEvidence.task).joinedload(Task.organization)],
    )


def uploaders(evidence_rows):
    """{user id: name} of the people who uploaded these rows."""
    ids = {row.uploaded_by_id for row in evidence_rows if row.uploaded_by_id is not None}
    if not ids:
        return {}
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids)))
    return {user.id: user.full_name or user.username for user in users}


def file_response(evidence, preview=False, public_seconds=0):
    """An evidence file (or its preview) with the headers that keep it a file: its stored
    type, never sniffed, sandboxed, a PDF always downloaded; 404 when the file is missing.
    Whoever calls it has checked who may read it; a file shown to the public may be kept by
    browsers `public_seconds`, any other is asked for again each time."""
    name = preview_name(evidence.stored_name) if preview else evidence.stored_name
    kept = evidence_store.store().open(name)
    if kept is None:
        abort(404)
    is_image = evidence.content_type.startswith("image/")
    response = send_file(
        kept,
        mimetype="image/jpeg" if preview else evidence.content_type,
        as_attachment=not is_image,
        download_name=download_name(evidence),
        max_age=public_seconds,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = (
        f"public, max-age={public_seconds}" if public_seconds else "private, no-cache"
    )
    return response
