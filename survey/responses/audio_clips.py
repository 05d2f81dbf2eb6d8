"""The audio of a survey's texts as the public form reads it: which texts have a clip in a
language, and the clip itself with the headers that let a phone keep it.

A clip is named in its address by the first digits of its digest, so its content never changes
under one address: browsers and the form's service worker keep it for good, and a new
recording is a new address. Whoever may see the form gets its clips (the view checks that, as
for the form); another commune's survey does not exist for the request (survey.models.scoping).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import send_file, url_for

from survey.core.bounded_cache import LRUCache
from survey.core.extensions import db
from survey.core.tenancy import current_commune_id
from survey.models import SurveyAudio

# How many hex digits of the digest the address carries: enough that no two clips meet.
DIGEST_IN_URL = 16
EXTENSIONS = {
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/webm": "webm",
}
A_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class ClipRef:
    """What the form needs of a clip to name it: its id, digest and type."""

    id: int
    digest: str
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def question_target(question_id: int) -> str:
    return f"question:{question_id}"


def option_target(option_id: int) -> str:
    return f"option:{option_id}"


def face_target(face: int) -> str:
    return f"face:{face}"


# (commune, survey id, updated_at) -> {(target, lang): ClipRef}: every change of a clip moves
# the survey's updated_at (survey.surveys.audio), as every other change of a survey does.
_INDEXES = LRUCache(256)


def forget_cached():
    """Drop every kept index (tests that rebuild the database)."""
    _INDEXES.clear()


def clip_index(survey) -> dict[tuple[str, str], ClipRef]:
    """Every clip of `survey` by (target, language), without their sound."""
    key = (current_commune_id(), survey.id, survey.updated_at)
    found = _INDEXES.get(key)
    if found is None:
        rows = db.session.execute(
            sa.select(
                SurveyAudio.id,
                SurveyAudio.target,
                SurveyAudio.lang,
                SurveyAudio.digest,
                SurveyAudio.content_type,
            ).where(SurveyAudio.survey_id == survey.id)
        ).all()
        found = {(r.target, r.lang): ClipRef(r.id, r.digest, r.content_type) for r in rows}
        _INDEXES.discard_where(lambda k: k[:2] == key[:2] and k[2] != key[2])
        _INDEXES[key] = found
    return found


def clip_url(survey_code: str, clip: ClipRef) -> str:
    """The clip's address under its survey's form."""
    return url_for(
        "take.audio",
        code=survey_code,
        clip_id=clip.id,
        digest=clip.digest[:DIGEST_IN_URL],
        ext=clip.extension,
    )


def clip_for(survey, clip_id: int, digest: str):
    """The clip of `survey` with this id and digest (its sound loaded), or None."""
    clip = db.session.scalar(
        sa.select(SurveyAudio)
        .where(SurveyAudio.id == clip_id, SurveyAudio.survey_id == survey.id)
        .options(sa.orm.undefer(SurveyAudio.data))
    )
    if clip is None or clip.digest[:DIGEST_IN_URL] != digest:
        return None
    return clip


def clip_response(clip, public: bool):
    """The clip with its type (never sniffed), in ranges for the phones that ask so, kept a
    year by browsers (by everyone's for a survey anyone may see, by the officer's own for a
    draft)."""
    response = send_file(
        io.BytesIO(clip.data),
        mimetype=clip.content_type,
        download_name=f"audio-{clip.id}.{EXTENSIONS[clip.content_type]}",
        conditional=True,
        etag=clip.digest,
        max_age=A_YEAR,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = (
        f"public, max-age={A_YEAR}, immutable" if public else f"private, max-age={A_YEAR}"
    )
    return response
