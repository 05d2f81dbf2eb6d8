"""The recordings an XLSForm names in its `media::audio` columns, in and out.

An XLSForm only names its sound files; ODK and KoboToolbox keep them beside the workbook, in
the form's media folder. `flask survey import-xlsform` reads them from there (`<file>-media/`,
or --media) and attaches each one to its text, checked and made small as an upload on the
survey's audio page is (survey.surveys.audio_files); `flask survey export-xlsform` writes the
survey's recordings into such a folder and names them in the workbook. A scale's answers are
one shared choice list, so the five faces' recordings go with that list.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from survey.core.extensions import db
from survey.models import SurveyAudio
from survey.responses.audio_clips import EXTENSIONS, face_target, option_target, question_target
from survey.surveys.audio import attach_audio
from survey.surveys.audio_files import AudioRefused, check_audio

OUTCOMES = ("attached", "missing", "refused", "not here")


@dataclass(frozen=True)
class MediaOutcome:
    """What became of one audio reference: `outcome` one of OUTCOMES, `reason` the audio
    check's when refused (audio_files.REASONS)."""

    file: str
    where: str
    language: str
    outcome: str
    reason: str = ""

    def english(self) -> str:
        said = {
            "attached": "attached",
            "missing": "not in the media folder; attach it on the survey's audio page",
            "refused": f"not attached: {self.reason} (audio_files)",
            "not here": "not attached: its question, option or language was not imported",
        }[self.outcome]
        return f"audio file {self.file!r} ({self.where}, {self.language}): {said}"


def attach_named_audio(survey, media, read: Callable[[str], bytes | None], user=None):
    """Attach the audio files of an import's references (`media`: dicts of media, file,
    language, question, option) that `read(name)` gives, to the imported `survey` (flushed);
    one MediaOutcome per audio reference, in order. A face's file, named by several scale
    questions, is attached once."""
    questions = {q.code: q for q in survey.questions}
    limit = current_app.config["AUDIO_MAX_BYTES"]
    outcomes, done = [], {}
    for item in media:
        if item["media"] != "audio":
            continue
        where = f"question {item['question']!r}" + (
            f", option {item['option']!r}" if item.get("option") else ""
        )
        target = _target(questions.get(item["question"]), item.get("option"))
        lang = item["language"]
        if target is None or lang not in survey.languages:
            outcomes.append(MediaOutcome(item["file"], where, lang, "not here"))
            continue
        if (target, lang) in done:
            outcomes.append(MediaOutcome(item["file"], where, lang, done[target, lang]))
            continue
        outcome = _attach(survey, target, lang, item["file"], read, limit, user)
        done[target, lang] = outcome.outcome
        outcomes.append(MediaOutcome(item["file"], where, lang, outcome.outcome, outcome.reason))
    return outcomes


@dataclass(frozen=True)
class _Attached:
    outcome: str
    reason: str = ""


def _attach(survey, target, lang, name, read, limit, user):
    data = read(name)
    if data is None:
        return _Attached("missing")
    try:
        checked = check_audio(data, limit)
    except AudioRefused as refused:
        return _Attached("refused", refused.reason)
    attach_audio(survey, target, lang, checked, user)
    return _Attached("attached")


def _target(question, option):
    if question is None:
        return None
    if not option:
        return question_target(question.id)
    if question.kind == "likert5" and option in {"1", "2", "3", "4", "5"}:
        return face_target(int(option))
    found = next((o for o in question.options if o.code == option), None)
    return option_target(found.id) if found is not None else None


def folder_reader(folder: str | None) -> Callable[[str], bytes | None]:
    """`read(name)`: the bytes of the file `name` directly inside `folder`, None when there is
    none (a name with a folder in it reads nothing: a workbook never reaches outside its
    folder). Of a file over AUDIO_MAX_BYTES only enough is read for it to be refused."""

    def read(name: str) -> bytes | None:
        if folder is None or not name or os.path.basename(name) != name or name in (".", ".."):
            return None
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read(current_app.config["AUDIO_MAX_BYTES"] + 1)

    return read


def media_folder(workbook_path: str) -> str:
    """Where ODK keeps a form's media: `<workbook without .xlsx>-media/` beside it."""
    stem, _ext = os.path.splitext(workbook_path)
    return f"{stem}-media"


# --- out -------------------------------------------------------------------------------------


def recordings(survey) -> dict[tuple[str, str | None, str], tuple[str, bytes]]:
    """{(question code, option code or face "1".."5" or None, language): (file name, sound)}
    of the survey's recordings of its questions, options and faces (an XLSForm has no place
    for a title's or introduction's)."""
    questions = {q.id: q for q in survey.questions}
    options = {o.id: (q, o) for q in survey.questions for o in q.options}
    likert = next((q for q in survey.questions if q.kind == "likert5"), None)
    clips = db.session.execute(
        sa.select(
            SurveyAudio.question_id,
            SurveyAudio.option_id,
            SurveyAudio.face,
            SurveyAudio.lang,
            SurveyAudio.content_type,
            SurveyAudio.data,
        ).where(SurveyAudio.survey_id == survey.id)
    )
    found = {}
    for question_id, option_id, face, lang, content_type, data in clips:
        if question_id in questions:
            key = (questions[question_id].code, None, lang)
        elif option_id in options:
            question, option = options[option_id]
            key = (question.code, option.code, lang)
        elif face is not None and likert is not None:
            key = ("", str(face), lang)  # the shared scale list's answer
        else:
            continue
        name = "-".join(part for part in (key[0] or "face", key[1]) if part)
        found[key] = (f"{name}.{lang}.{EXTENSIONS[content_type]}", data)
    return found
