"""Audio for a survey's texts: what is accepted (by content, never by name), made small without
metadata, a refused upload writes nothing, the builder's page and its warnings, and who gets a
clip (the survey's own visibility) with which headers."""

import io
import math
import shutil
import struct
import subprocess
import wave

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.commune.tenants import create_commune
from survey.core.tenancy import across_communes, commune_scope
from survey.models import AuditLog, Survey, SurveyAudio
from tests.factories import make_defined_survey, make_organization, make_user

PASSWORD = "a-long-password"
FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(
    FFMPEG is None or shutil.which("ffprobe") is None,
    reason="needs ffmpeg and ffprobe (Debian package ffmpeg) to make the samples and MP3s",
)
# What ffmpeg makes of the WAV sample for each accepted kind: (arguments, file name).
ENCODED = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"], "cau-hoi.mp3"),
    "m4a": (["-c:a", "aac", "-b:a", "48k", "-f", "ipod"], "ghi-am.m4a"),
    "aac": (["-c:a", "aac", "-b:a", "48k", "-f", "adts"], "ghi-am.aac"),
    "ogg-opus": (["-c:a", "libopus", "-b:a", "24k", "-f", "ogg"], "ghi-am.ogg"),
    "webm-opus": (["-c:a", "libopus", "-b:a", "24k", "-f", "webm"], "recording.webm"),
}
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def wav_bytes(seconds=0.6, rate=16000, freq=440.0):
    """A short tone as a WAV file, made with the standard library."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = int(seconds * rate)
        w.writeframes(
            b"".join(
                struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * i / rate)))
                for i in range(frames)
            )
        )
    return out.getvalue()


def encoded(kind, tmp_path, metadata=()):
    """The WAV sample encoded by ffmpeg as `kind` (see ENCODED)."""
    arguments, name = ENCODED[kind]
    source, target = tmp_path / "source.wav", tmp_path / name
    source.write_bytes(wav_bytes())
    tags = [x for key, value in metadata for x in ("-metadata", f"{key}={value}")]
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-i", str(source), *tags, *arguments, str(target)],
        check=True,
    )
    return target.read_bytes()


@pytest.fixture
def world(db):
    org = make_organization(db, code="nongdan", name="Hội Nông dân xã")
    make_user(db, username="officer", role="org_officer", organization=org, password=PASSWORD)
    make_user(db, username="committee", role="committee", password=PASSWORD)
    survey = make_defined_survey(db, org=org, code="hailong-2025")
    draft = make_defined_survey(db, org=org, code="nhap-2025", status="draft")
    return {"survey": survey.code, "draft": draft.code}


def targets(db, code):
    survey = db.session.scalar(sa.select(Survey).where(Survey.code == code))
    question = next(q for q in survey.questions if q.kind == "likert5")
    option = next(q for q in survey.questions if q.kind == "single").options[0]
    return {"question": f"question:{question.id}", "option": f"option:{option.id}"}


def upload(client, code, target, lang, data, name, mimetype="audio/mpeg"):
    """POST one file to the audio page; the body encoded here, in memory."""
    sent = FileStorage(io.BytesIO(data), name, None, mimetype)
    form = {"target": target, "lang": lang, "file": sent}
    boundary, body = encode_multipart(form)
    return client.post(
        f"/manage/surveys/{code}/audio",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def clips(db):
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(SurveyAudio).options(sa.orm.undefer(SurveyAudio.data)).order_by(SurveyAudio.id)
    )
    return rows.all()


def form_audio_urls(client, code, lang="vi"):
    html = client.get(f"/s/{code}?lang={lang}").get_data(as_text=True)
    players = html.split('class="speak-audio" controls preload="none" src="')[1:]
    return [part.split('"', 1)[0] for part in players]


def test_a_wav_is_made_a_small_mp3_and_the_form_offers_it(client, login, db, world):
    if FFMPEG is None:
        pytest.skip("needs ffmpeg (Debian package ffmpeg) to make the MP3")
    login("officer", PASSWORD)
    target = targets(db, world["survey"])["question"]
    sample = wav_bytes(seconds=2)
    response = upload(client, world["survey"], target, "vi", sample, "cau1.wav", "audio/wav")
    assert response.status_code == 303
    (clip,) = clips(db)
    assert clip.content_type == "audio/mpeg" and clip.target == target and clip.lang == "vi"
    assert clip.size == len(clip.data) < len(sample) / 4
    assert clip.data[0] == 0xFF and clip.data[1] & 0xE0 == 0xE0  # an MPEG frame, no ID3 tag
    assert clip.created_by_id is not None and len(clip.digest) == 64
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "audio.attach"))
    assert entry.details["lang"] == "vi" and entry.target.startswith(f"{world['survey']}/")
    client.post("/logout")
    (url,) = form_audio_urls(client, world["survey"], "vi")
    assert url == f"/s/{world['survey']}/audio/{clip.id}-{clip.digest[:16]}.mp3"
    assert form_audio_urls(client, world["survey"], "en") == []  # none in English
    played = client.get(url)
    assert played.status_code == 200 and played.data == clip.data
    assert played.headers["Content-Type"] == "audio/mpeg"
    assert played.headers["X-Content-Type-Options"] == "nosniff"
    assert played.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert played.headers["Content-Disposition"].startswith("inline")
    assert played.headers["Accept-Ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.data == clip.data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{clip.size}"


@needs_ffmpeg
@pytest.mark.parametrize("kind", sorted(ENCODED))
def test_each_accepted_kind_is_taken_whatever_its_name(client, login, db, world, tmp_path, kind):
    login("officer", PASSWORD)
    data = encoded(kind, tmp_path)
    target = targets(db, world["survey"])["option"]
    # Named and typed wrongly: only the content counts.
    response = upload(client, world["survey"], target, "en", data, "file.bin", "text/plain")
    assert response.status_code == 303, response.get_data(as_text=True)
    (clip,) = clips(db)
    assert clip.content_type == "audio/mpeg" and clip.lang == "en"


@needs_ffmpeg
def test_the_metadata_of_a_file_is_dropped(client, login, db, world, tmp_path):
    login("officer", PASSWORD)
    tags = (("title", "Nguyen Van A, thon 5"), ("artist", "Tran Thi B"), ("comment", "0912345678"))
    data = encoded("mp3", tmp_path, metadata=tags)
    assert b"Nguyen Van A" in data
    target = targets(db, world["survey"])["question"]
    assert upload(client, world["survey"], target, "vi", data, "a.mp3").status_code == 303
    (clip,) = clips(db)
    for _key, value in tags:
        assert value.encode() not in clip.data
    assert b"Lavf" not in clip.data and b"LAME" not in clip.data[:64]


def test_without_ffmpeg_a_file_is_stored_as_given(make_app, db, login, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    sample = wav_bytes()
    target = targets(db, world["survey"])["question"]
    with app.app_context():
        page = client.get(f"/manage/surveys/{world['survey']}/audio").get_data(as_text=True)
        assert "ffmpeg" in page  # the page says files are kept as sent
        response = upload(client, world["survey"], target, "vi", sample, "a.wav", "audio/wav")
    assert response.status_code == 303
    (clip,) = clips(db)
    assert clip.content_type == "audio/wav" and clip.data == sample


@pytest.mark.parametrize("ffmpeg", ["ffmpeg", ""])
def test_a_renamed_html_file_is_refused_and_nothing_is_written(make_app, db, world, ffmpeg):
    app = make_app(AUDIO_FFMPEG=ffmpeg, AUDIO_FFPROBE=ffmpeg and "ffprobe")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    target = targets(db, world["survey"])["question"]
    before = db.session.scalar(sa.select(Survey.updated_at).where(Survey.code == world["survey"]))
    with app.app_context():
        response = upload(client, world["survey"], target, "vi", HTML, "cau-hoi.mp3")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Loại tệp này không được nhận." in page and "MP3" in page
    assert clips(db) == []
    assert db.session.scalar(sa.select(AuditLog.id).where(AuditLog.action.like("audio.%"))) is None
    after = db.session.scalar(sa.select(Survey.updated_at).where(Survey.code == world["survey"]))
    assert after == before


@needs_ffmpeg
def test_a_damaged_file_with_the_right_first_bytes_is_refused(client, login, db, world):
    login("officer", PASSWORD)
    fake = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200
    target = targets(db, world["survey"])["question"]
    response = upload(client, world["survey"], target, "vi", fake, "a.wav", "audio/wav")
    assert response.status_code == 422
    assert "không đọc được" in response.get_data(as_text=True)
    assert clips(db) == []


def test_an_oversized_file_is_refused_and_nothing_is_written(make_app, db, world):
    app = make_app(AUDIO_MAX_BYTES=4000)
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    target = targets(db, world["survey"])["question"]
    with app.app_context():
        # Over the file's limit, inside the body's: the page says so beside the text.
        response = upload(client, world["survey"], target, "vi", wav_bytes(0.3), "a.wav")
        assert response.status_code == 422
        assert "Tệp quá lớn." in response.get_data(as_text=True)
        # Over even the body's limit: refused before the form is read.
        response = upload(client, world["survey"], target, "vi", wav_bytes(5), "a.wav")
        assert response.status_code == 413
        assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert clips(db) == []


def test_a_draft_clip_is_for_its_officers_only_and_a_wrong_address_finds_nothing(
    make_app, db, world
):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    target = targets(db, world["draft"])["question"]
    with app.app_context():
        assert upload(client, world["draft"], target, "vi", wav_bytes(), "a.wav").status_code == 303
        (clip,) = clips(db)
        url = f"/s/{world['draft']}/audio/{clip.id}-{clip.digest[:16]}.wav"
        seen = client.get(url)
        assert seen.status_code == 200 and seen.headers["Cache-Control"].startswith("private")
        # In the preview, as in the form.
        preview = client.get(f"/manage/surveys/{world['draft']}/preview").get_data(as_text=True)
        assert url in preview
        client.post("/logout")
        assert client.get(url).status_code == 404
        # The draft opened: anyone may hear it.
        db.session.execute(
            sa.update(Survey).where(Survey.code == world["draft"]).values(status="open")
        )
        db.session.commit()
        assert client.get(url).status_code == 200
        # Another digest, another type, another survey's address: nothing.
        assert client.get(url.replace(clip.digest[:16], "0" * 16)).status_code == 404
        assert client.get(url.replace(".wav", ".mp3")).status_code == 404
        other = url.replace(world["draft"], world["survey"])
        assert client.get(other).status_code == 404


def test_another_communes_clip_is_never_served(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    with across_communes():
        beta = create_commune("beta", "xã Beta")
        db.session.commit()
    with commune_scope(beta.id):
        org = make_organization(db, code="nongdan", name="Hội Nông dân xã Beta")
        survey = make_defined_survey(db, org=org, code="beta-2025")
        question = survey.questions[0]
        data = wav_bytes()
        clip = SurveyAudio(
            survey_id=survey.id,
            question_id=question.id,
            target=f"question:{question.id}",
            lang="vi",
            content_type="audio/wav",
            size=len(data),
            digest="ab" * 32,
            data=data,
        )
        db.session.add(clip)
        db.session.commit()
        url = f"/s/beta-2025/audio/{clip.id}-{'ab' * 8}.wav"
    client = app.test_client()
    with app.app_context():
        assert client.get(url).status_code == 200  # the public of beta hears it
        # An officer of the first commune: the address names a survey it does not have.
        client.post("/login", data={"username": "officer", "password": PASSWORD})
        assert client.get(url).status_code == 404
        client.post("/logout")
        # Beta's clip under the first commune's survey: no such clip there.
        assert client.get(url.replace("beta-2025", world["survey"])).status_code == 404


def test_the_page_lists_every_text_and_language_and_what_is_missing(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    code = world["survey"]
    with app.app_context():
        page = client.get(f"/manage/surveys/{code}/audio")
        assert page.status_code == 200
        assert "microphone=(self)" in page.headers["Permissions-Policy"]
        assert "media-src 'self' blob:" in page.headers["Content-Security-Policy"]
        html = page.get_data(as_text=True)
        assert "Bà con hài lòng thế nào?" in html and "Loa thôn" in html
        assert "Rất hài lòng" in html  # the faces' words, per survey
        assert 'name="target" value="face:5"' in html
        # The survey's page warns: nothing has audio yet.
        edit = client.get(f"/manage/surveys/{code}").get_data(as_text=True)
        assert 'id="audio-gaps"' in edit and f"/manage/surveys/{code}/audio" in edit
        for target in ("question", "option"):
            upload(client, code, targets(db, code)[target], "vi", wav_bytes(), "a.wav")
        html = client.get(f"/manage/surveys/{code}/audio").get_data(as_text=True)
        assert html.count("<audio controls") == 2


def test_a_clip_for_a_text_that_changed_is_marked_and_the_face_words_are_spoken(
    make_app, db, world
):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    code = world["survey"]
    with app.app_context():
        upload(client, code, targets(db, code)["question"], "vi", wav_bytes(), "a.wav")
        assert upload(client, code, "face:1", "vi", wav_bytes(), "a.wav").status_code == 303
        survey = db.session.scalar(sa.select(Survey).where(Survey.code == code))
        question = next(q for q in survey.questions if q.kind == "likert5")
        question.text = {**question.text, "vi": "Câu hỏi đã sửa?"}
        db.session.commit()
        html = client.get(f"/manage/surveys/{code}/audio").get_data(as_text=True)
        assert "Văn bản đã đổi sau khi ghi âm" in html
        client.post("/logout")
        form = client.get(f"/s/{code}").get_data(as_text=True)
        assert form.count('class="speak-audio"') == 2  # the question and the first face


def test_a_clip_is_replaced_then_deleted_after_a_confirmation(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    code = world["survey"]
    target = targets(db, code)["question"]
    with app.app_context():
        upload(client, code, target, "vi", wav_bytes(0.2), "a.wav")
        upload(client, code, target, "vi", wav_bytes(0.4), "b.wav")
        (clip,) = clips(db)
        assert clip.size == len(wav_bytes(0.4))
        ask = client.get(f"/manage/surveys/{code}/audio/{clip.id}/delete")
        assert ask.status_code == 200 and "Xóa bản ghi âm" in ask.get_data(as_text=True)
        assert len(clips(db)) == 1
        done = client.post(f"/manage/surveys/{code}/audio/{clip.id}/delete")
        assert done.status_code == 303
        assert clips(db) == []
        actions = db.session.scalars(
            sa.select(AuditLog.action).where(AuditLog.action.like("audio.%")).order_by(AuditLog.id)
        ).all()
        assert actions == ["audio.attach", "audio.replace", "audio.delete"]


def test_only_who_may_change_the_survey_changes_its_audio(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "committee", "password": PASSWORD})
    code = world["survey"]
    with app.app_context():
        page = client.get(f"/manage/surveys/{code}/audio").get_data(as_text=True)
        assert 'type="file"' not in page  # reads, uploads nothing
        target = targets(db, code)["question"]
        assert upload(client, code, target, "vi", wav_bytes(), "a.wav").status_code == 403
        assert client.post(f"/manage/surveys/{code}/audio/autoplay").status_code == 403
    assert clips(db) == []


def test_the_form_plays_by_itself_when_the_survey_says_so(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    code = world["survey"]
    with app.app_context():
        assert 'data-autoplay="1"' not in client.get(f"/s/{code}").get_data(as_text=True)
        client.post("/login", data={"username": "officer", "password": PASSWORD})
        response = client.post(f"/manage/surveys/{code}/audio/autoplay", data={"autoplay": "1"})
        assert response.status_code == 303
        client.post("/logout")
        assert 'data-autoplay="1"' in client.get(f"/s/{code}").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "audio.autoplay"))
    assert entry.details["after"] == {"audio_autoplay": True}


def test_a_new_version_keeps_the_recordings_of_its_texts(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    code = world["survey"]
    with app.app_context():
        for target in (*targets(db, code).values(), "face:2"):
            assert upload(client, code, target, "vi", wav_bytes(), "a.wav").status_code == 303
        client.post(f"/manage/surveys/{code}/audio/autoplay", data={"autoplay": "1"})
        response = client.post(f"/manage/surveys/{code}/clone", data={"code": "hailong-2025-v2"})
        assert response.status_code == 303
        clone = db.session.scalar(sa.select(Survey).where(Survey.code == "hailong-2025-v2"))
        assert clone.audio_autoplay
        kept = {c.target: c for c in clips(db) if c.survey_id == clone.id}
        assert sorted(kept) == sorted([*targets(db, "hailong-2025-v2").values(), "face:2"])
        client.post("/logout")
        assert len(form_audio_urls(client, code)) == 3  # the first version keeps its own


def test_the_title_and_introduction_speak_too(make_app, db, world):
    app = make_app(AUDIO_FFMPEG="", AUDIO_FFPROBE="")
    client = app.test_client()
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    code = world["survey"]
    with app.app_context():
        assert upload(client, code, "title", "en", wav_bytes(), "a.wav").status_code == 303
        # This survey has no introduction: nothing to speak.
        assert upload(client, code, "description", "en", wav_bytes(), "a.wav").status_code == 404
        client.post("/logout")
        (url,) = form_audio_urls(client, code, "en")
        html = client.get(f"/s/{code}?lang=en").get_data(as_text=True)
        assert html.index("<h1") < html.index(url) < html.index('<form method="post"')
