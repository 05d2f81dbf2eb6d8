"""The audio of a survey's texts: which texts have text and audio in each of its languages,
and attaching, replacing and deleting a clip (checked and made small by audio_files).

A clip speaks one text in one language: the survey's title or introduction, a question's
text, an option's label, or the words
under one of the five satisfaction faces (those words are the interface's own, the same in
every survey, so their recordings are kept per survey, per face and language). Each change
moves the survey's `updated_at`, which the public form's caches are keyed by, and adds its
audit entry; services flush, the view commits. Clips may change at any time, on an open survey
with answers too: they change no question.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale

from survey.audit import trail
from survey.core.extensions import db
from survey.core.languages import is_interface_language, language_name
from survey.models import SurveyAudio, utcnow
from survey.responses.audio_clips import (
    ClipRef,
    clip_index,
    face_target,
    option_target,
    question_target,
)
from survey.responses.survey_form import LIKERT_WORDS
from survey.surveys.changes import mark_changed
from survey.surveys.question_rules import CHOICE_KINDS

FACES = (1, 2, 3, 4, 5)


class UnknownTarget(LookupError):
    """The text or language named is not the survey's."""


@dataclass(frozen=True)
class Cell:
    """One text of the sheet in one language: its words, its clip, whether the clip was made
    for other words than the text's now."""

    lang: str
    text: str
    clip: ClipRef | None
    stale: bool


@dataclass(frozen=True)
class Line:
    """One text of the survey (a question, an option, a face's words) in every language."""

    target: str
    kind: str  # "title", "description", "question", "option" or "face"
    number: str  # "", "3", "3.b", "☺4"
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Gaps:
    """What a language of the survey lacks: texts without words, texts without audio."""

    lang: str
    name: str
    texts: int  # questions and options in all
    without_text: int
    without_audio: int
    stale: int


@dataclass
class AudioSheet:
    """Every text of the survey in every language, with its clip; and the gaps per language."""

    languages: list[str]
    lines: list[Line] = field(default_factory=list)
    gaps: list[Gaps] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not any(g.without_text or g.without_audio or g.stale for g in self.gaps)


def text_digest(text: str) -> str:
    """The digest of a text as a clip was made for it ("" for no text)."""
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def face_words(face: int, lang: str) -> str:
    """The words under a face in the form shown in `lang` (Vietnamese where the interface does
    not speak it, as the form shows them)."""
    with force_locale(lang if is_interface_language(lang) else "vi"):
        return str(LIKERT_WORDS[face - 1])


def has_faces(survey) -> bool:
    return any(q.kind == "likert5" for q in survey.questions)


def _texts(survey):
    """(target, kind, number, {lang: text}) of every text that may be spoken."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield "title", "title", "", dict(survey.title or {})
    if any((text or "").strip() for text in (survey.description or {}).values()):
        yield "description", "description", "", dict(survey.description or {})
    for n, question in enumerate(survey.questions, 1):
        yield question_target(question.id), "question", str(n), dict(question.text or {})
        if question.kind in CHOICE_KINDS:
            for i, option in enumerate(question.options):
                letter = letters[i] if i < len(letters) else str(i + 1)
                yield option_target(option.id), "option", f"{n}.{letter}", dict(option.label or {})
    if has_faces(survey):
        for face in FACES:
            words = {lang: face_words(face, lang) for lang in survey.languages}
            yield face_target(face), "face", f"☺{face}", words


def audio_sheet(survey) -> AudioSheet:
    """The survey's texts and clips, language by language, and what each language lacks."""
    clips = clip_index(survey)
    stored = dict(
        db.session.execute(
            sa.select(SurveyAudio.id, SurveyAudio.text_digest).where(
                SurveyAudio.survey_id == survey.id
            )
        ).all()
    )
    sheet = AudioSheet(languages=list(survey.languages))
    for target, kind, number, texts in _texts(survey):
        cells = []
        for lang in survey.languages:
            text = (texts.get(lang) or "").strip()
            clip = clips.get((target, lang))
            # A face's words are the interface's: its clip never goes stale.
            stale = bool(clip and kind != "face" and stored.get(clip.id) != text_digest(text))
            cells.append(Cell(lang, text, clip, stale))
        sheet.lines.append(Line(target, kind, number, tuple(cells)))
    for i, lang in enumerate(survey.languages):
        counted = [line.cells[i] for line in sheet.lines if line.kind != "face"]
        sheet.gaps.append(
            Gaps(
                lang,
                language_name(lang),
                len(counted),
                sum(1 for c in counted if not c.text),
                sum(1 for c in counted if c.clip is None),
                sum(1 for c in counted if c.stale),
            )
        )
    return sheet


def _spoken(survey, target, lang):
    """The words `target` speaks in `lang` (what the audit log and the digest keep);
    UnknownTarget when the survey has no such text or language."""
    if lang not in survey.languages:
        raise UnknownTarget(lang)
    for known, kind, _number, texts in _texts(survey):
        if known == target:
            return kind, (texts.get(lang) or "").strip()
    raise UnknownTarget(target)


def _columns(target):
    kind, _colon, value = target.partition(":")
    number = int(value) if value else None
    return {
        "question_id": number if kind == "question" else None,
        "option_id": number if kind == "option" else None,
        "face": number if kind == "face" else None,
    }


def attach_audio(survey, target, lang, checked, user):
    """Keep `checked` (an audio_files.CheckedAudio) as the clip of `target` in `lang`, in place
    of the one it had; returns the row (flushed). UnknownTarget for another survey's text."""
    kind, text = _spoken(survey, target, lang)
    clip = db.session.scalar(
        sa.select(SurveyAudio).where(
            SurveyAudio.survey_id == survey.id,
            SurveyAudio.target == target,
            SurveyAudio.lang == lang,
        )
    )
    replaced = clip is not None
    if clip is None:
        clip = SurveyAudio(survey_id=survey.id, target=target, lang=lang, **_columns(target))
        db.session.add(clip)
    clip.content_type = checked.content_type
    clip.data = checked.data
    clip.size = len(checked.data)
    clip.digest = hashlib.sha256(checked.data).hexdigest()
    clip.text_digest = "" if kind == "face" else text_digest(text)
    clip.created_by_id = user.id if user is not None else None  # None: a command
    clip.created_at = utcnow()
    _record("audio.replace" if replaced else "audio.attach", survey, text, lang, clip)
    mark_changed(survey)
    db.session.flush()
    return clip


def delete_audio(survey, clip_id, user):
    """Delete the survey's clip `clip_id`, audited; UnknownTarget when it has none such."""
    clip = clip_by_id(survey, clip_id)
    if clip is None:
        raise UnknownTarget(clip_id)
    _kind, text = _spoken(survey, clip.target, clip.lang)
    _record("audio.delete", survey, text, clip.lang, clip)
    db.session.delete(clip)
    mark_changed(survey)
    db.session.flush()


def clip_by_id(survey, clip_id):
    """The survey's clip with this id (without its sound), or None."""
    return db.session.scalar(
        sa.select(SurveyAudio).where(SurveyAudio.id == clip_id, SurveyAudio.survey_id == survey.id)
    )


def copy_audio(source, clone):
    """The recordings of `source` for the same texts of its new version `clone` (questions and
    options found by their codes), and its autoplay setting; flushed. Not audited apart: the
    clone's own entry says where it came from."""
    old_targets = {question_target(q.id): ("question", q.code) for q in source.questions}
    old_targets |= {
        option_target(o.id): ("option", (q.code, o.code))
        for q in source.questions
        for o in q.options
    }
    new_ids = {("question", q.code): q.id for q in clone.questions}
    new_ids |= {("option", (q.code, o.code)): o.id for q in clone.questions for o in q.options}
    clone.audio_autoplay = source.audio_autoplay
    clips = db.session.scalars(
        sa.select(SurveyAudio)
        .where(SurveyAudio.survey_id == source.id)
        .options(sa.orm.undefer(SurveyAudio.data))
    )
    for clip in clips:
        if clip.question_id is None and clip.option_id is None:
            target = clip.target  # a face's words, the title, the introduction
        else:
            new_id = new_ids.get(old_targets.get(clip.target))
            if new_id is None:
                continue
            kind = "question" if clip.question_id is not None else "option"
            target = f"{kind}:{new_id}"
        db.session.add(
            SurveyAudio(
                survey_id=clone.id,
                target=target,
                lang=clip.lang,
                content_type=clip.content_type,
                size=clip.size,
                digest=clip.digest,
                text_digest=clip.text_digest,
                data=clip.data,
                created_by_id=clip.created_by_id,
                created_at=clip.created_at,
                **_columns(target),
            )
        )
    db.session.flush()


def set_autoplay(survey, on, user):
    """Whether the form plays each question's audio as it comes into view; audited when
    changed. Returns whether it changed."""
    if bool(survey.audio_autoplay) == bool(on):
        return False
    survey.audio_autoplay = bool(on)
    trail.record(
        "audio.autoplay",
        survey.code,
        before={"audio_autoplay": not on},
        after={"audio_autoplay": bool(on)},
        user=user,
    )
    mark_changed(survey)
    db.session.flush()
    return True


def _record(action, survey, text, lang, clip):
    trail.record(
        action,
        f"{survey.code}/{text[:120]}",
        lang=lang,
        spoken=clip.target,
        size=clip.size,
        content_type=clip.content_type,
    )
