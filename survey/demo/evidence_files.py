"""The demo's evidence files: drawn photos of what was done and a scanned-looking minutes PDF,
stored the way an upload is (checked by content, saved anew, owner-only) under names fixed by
their task, so the same seed gives the same rows."""

import hashlib
import io
from datetime import date

from PIL import Image, ImageDraw

from survey.core.tenancy import current_commune_id
from survey.models import TaskEvidence
from survey.programmes import evidence as store

SKY, GROUND = (176, 212, 235), (120, 160, 90)


def drawn_photo(seed: int) -> bytes:
    """A small JPEG of a village scene: sky, field, a house with a new roof, people."""
    image = Image.new("RGB", (640, 480), SKY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=GROUND)
    left = 120 + 40 * (seed % 4)
    draw.rectangle((left, 200, left + 260, 360), fill=(214, 190, 150))  # walls
    draw.polygon([(left - 30, 200), (left + 130, 110), (left + 290, 200)], fill=(170, 60, 50))
    draw.rectangle((left + 105, 270, left + 155, 360), fill=(110, 70, 40))  # door
    for k in range(3 + seed % 3):  # people in front of it
        x = 60 + 110 * k
        draw.ellipse((x, 330, x + 28, 358), fill=(90, 60, 40))
        draw.rectangle((x + 4, 358, x + 24, 420), fill=(40, 90 + 30 * k % 120, 150))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def minutes_pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A one-page PDF of minutes in plain ASCII text (a stand-in for a scanned page)."""
    text = [f"BT /F1 16 Tf 72 760 Td ({title}) Tj ET"]
    for k, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {720 - 18 * k} Td ({line}) Tj ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def add_file(task, data, filename, caption, public, uploaded_by, uploaded_at):
    """Store `data` as evidence of `task` the way an upload is stored; returns the row."""
    checked = store.check_file(data, max_bytes=10 * 1024 * 1024)
    # Named from what it shows and its commune: a province seeds one demo commune after another.
    digest = hashlib.sha256(
        f"{current_commune_id()}|{task.programme.title}|{task.title}|{filename}".encode()
    )
    stored_name = digest.hexdigest()[:32] + checked.extension
    store.keep_files(stored_name, checked)
    return TaskEvidence(
        task=task,
        stored_name=stored_name,
        filename=filename,
        content_type=checked.content_type,
        size=len(checked.data),
        caption=caption,
        public=public,
        uploaded_by_id=uploaded_by.id,
        uploaded_at=uploaded_at,
    )


def sample_minutes(day: date) -> bytes:
    """The minutes of a day's work by the Youth Union, in ASCII."""
    return minutes_pdf(
        "BIEN BAN RA QUAN LAM DUONG GIAO THONG NONG THON",
        (
            f"Ngay {day:%d/%m/%Y}, tai Thon 4.",
            "Thanh phan: Doan Thanh nien xa, Hoi Cuu chien binh, ba con Thon 4.",
            "Ket qua: 350 m duong be tong, 120 ngay cong.",
        ),
    )
