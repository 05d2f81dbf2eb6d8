"""The demo's recordings: the Farmers' Union's 2025 satisfaction survey read aloud in
Vietnamese, so the play buttons of the form can be seen and heard in the demo.

No reliable Bahnar text of these questions exists to record, so the voice is a speech
synthesizer's: espeak-ng (Debian package espeak-ng 1.51, voice `vi`), made small by ffmpeg
(mono, 16 kHz, 24 kb/s MP3, no metadata) at development time and committed under
survey/demo/audio/ (make_files; run survey/demo/make_audio.sh). `flask seed-demo` attaches the
files it finds (attach_demo_audio); a missing one is no matter.
"""

from __future__ import annotations

import hashlib
import subprocess  # nosec B404 # espeak-ng and ffmpeg, fixed arguments, at development time
import tempfile
from pathlib import Path

from survey.core.extensions import db
from survey.demo import data
from survey.models import SurveyAudio
from survey.responses.audio_clips import face_target, option_target, question_target
from survey.surveys.audio import FACES, face_words, text_digest
from survey.surveys.definitions import instantiate, load_question_set

AUDIO_FOLDER = Path(__file__).parent / "audio"
ORGANIZATION = "nongdan"
YEAR = data.YEARS[-1]
VOICE = ("-v", "vi", "-s", "145")
MP3 = ("-ac", "1", "-ar", "16000", "-c:a", "libmp3lame", "-b:a", "24k")
NO_METADATA = (
    "-map_metadata",
    "-1",
    "-fflags",
    "+bitexact",
    "-flags:a",
    "+bitexact",
    "-id3v2_version",
    "0",
    "-write_id3v1",
    "0",
    "-write_xing",
    "0",
)


def is_spoken(topic: str, organization: str | None, year: int) -> bool:
    """Whether the demo's survey of this plan is the one read aloud."""
    return topic == "satisfaction" and organization == ORGANIZATION and year == YEAR


def _definition():
    names = {code: (short, en) for code, _n, short, en, _m in data.ORGANIZATIONS}
    return instantiate(
        load_question_set("satisfaction"),
        code="spoken",
        year=YEAR,
        organizations=[ORGANIZATION],
        org_names={"vi": names[ORGANIZATION][0], "en": names[ORGANIZATION][1]},
    )


def spoken_texts(definition=None):
    """(file name, Vietnamese text) of every text of the survey to read aloud (in an app
    context: the faces' words are the interface's)."""
    definition = definition or _definition()
    yield "title.mp3", definition["title"]["vi"]
    yield "description.mp3", definition["description"]["vi"]
    questions = definition["questions"]
    for question in questions:
        yield f"q-{question['code']}.mp3", question["text"]["vi"]
        for option in question.get("options", []):
            yield f"o-{question['code']}-{option['code']}.mp3", option["label"]["vi"]
    if any(q["kind"] == "likert5" for q in questions):
        for face in FACES:
            yield f"face-{face}.mp3", face_words(face, "vi")


def make_files(folder: Path = AUDIO_FOLDER) -> int:
    """Read every text aloud with espeak-ng into `folder` as small MP3s; the bytes written."""
    folder.mkdir(exist_ok=True)
    total = 0
    with tempfile.TemporaryDirectory() as work:
        speech = Path(work) / "speech.wav"
        for name, text in spoken_texts():
            subprocess.run(["espeak-ng", *VOICE, "-w", str(speech), text], check=True)  # nosec B603 B607
            target = folder / name
            subprocess.run(  # nosec B603 B607 # fixed arguments, no shell
                ["ffmpeg", "-v", "error", "-y", "-i", str(speech), *MP3, *NO_METADATA, str(target)],
                check=True,
            )
            total += target.stat().st_size
    return total


def attach_demo_audio(survey, user_id) -> int:
    """Attach the committed recordings to the demo's spoken survey (flushed); how many."""
    questions = {q.code: q for q in survey.questions}
    added = 0
    for name, kind, value, text in _files_of(survey, questions):
        path = AUDIO_FOLDER / name
        if not path.is_file():
            continue
        sound = path.read_bytes()
        db.session.add(
            SurveyAudio(
                survey_id=survey.id,
                lang="vi",
                content_type="audio/mpeg",
                size=len(sound),
                digest=hashlib.sha256(sound).hexdigest(),
                text_digest=text_digest(text) if kind != "face" else "",
                data=sound,
                created_by_id=user_id,
                created_at=survey.created_at,
                **_columns(kind, value),
            )
        )
        added += 1
    db.session.flush()
    return added


def _files_of(survey, questions):
    yield "title.mp3", "title", None, survey.title.get("vi", "")
    yield "description.mp3", "description", None, (survey.description or {}).get("vi", "")
    for code, question in questions.items():
        yield f"q-{code}.mp3", "question", question.id, question.text.get("vi", "")
        for option in question.options:
            name = f"o-{code}-{option.code}.mp3"
            yield name, "option", option.id, option.label.get("vi", "")
    if any(q.kind == "likert5" for q in questions.values()):
        for face in FACES:
            yield f"face-{face}.mp3", "face", face, ""


def _columns(kind, value):
    if kind == "question":
        return {"question_id": value, "target": question_target(value)}
    if kind == "option":
        return {"option_id": value, "target": option_target(value)}
    if kind == "face":
        return {"face": value, "target": face_target(value)}
    return {"target": kind}  # the title, the introduction
