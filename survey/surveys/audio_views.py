"""A survey's audio in the builder: every question, option and face's words in every language
of the survey, with what has text and audio; a file to upload per text and language (or a
recording made on the page, static/js/audio-recorder.js), play, delete after a confirmation;
and whether the form plays the audio by itself. The rules of a file are audio_files'.

Its forms are the page's own (one file, one checkbox), checked here rather than in the
package's forms.py, which the survey's fields and questions keep.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from survey.accounts.access import (
    ORG_CHANGE_ROLES,
    ORG_READ_ROLES,
    may_change_survey,
    roles_required,
)
from survey.core.extensions import db
from survey.core.forms import take_uploads
from survey.core.i18n import size_in_words
from survey.core.languages import language_name
from survey.core.security_headers import allow_recording
from survey.responses import catalog
from survey.responses.audio_clips import clip_url
from survey.surveys import audio, audio_files
from survey.surveys.views import survey_or_404

bp = Blueprint("audio", __name__, url_prefix="/manage/surveys")


def _limit():
    return size_in_words(current_app.config["AUDIO_MAX_BYTES"])


def refusal_message(reason):
    """Why a file was refused, in words, with what is accepted."""
    accepted = _(
        "Accepted: sound files MP3, M4A (AAC), OGG (Opus), WAV or WebM, up to %(size)s.",
        size=_limit(),
    )
    return {
        "empty": _("The file is empty. Choose the sound file again."),
        "too large": _("The file is too large.") + " " + accepted,
        "not accepted": _("This kind of file is not accepted.") + " " + accepted,
        "damaged": _("The sound could not be read: the file may be damaged.") + " " + accepted,
        "too long": _("The recording is too long: at most 5 minutes."),
    }[reason]


# The audio page alone takes a body the size of a sound file.
take_uploads(bp, "audio.page", "AUDIO_MAX_BYTES")


@bp.errorhandler(413)
def too_large(_error):
    """A body over even the upload's limit: say what is accepted, and how to go back."""
    return render_template(
        "builder/audio_too_large.html", message=refusal_message("too large")
    ), 413


@bp.route("/<code>/audio", methods=["GET", "POST"])
@roles_required(*ORG_READ_ROLES)
def page(code):
    """The survey's texts and their audio per language; POST attaches one file (fields
    `target`, `lang`, `file`)."""
    survey = survey_or_404(code, change=request.method == "POST")
    refused = None
    if request.method == "POST":
        target, lang = request.form.get("target", ""), request.form.get("lang", "")
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise audio_files.AudioRefused("empty")
            limit = current_app.config["AUDIO_MAX_BYTES"]
            checked = audio_files.check_audio(upload.read(limit + 1), limit)
            audio.attach_audio(survey, target, lang, checked, current_user)
        except audio_files.AudioRefused as refusal:
            db.session.rollback()
            refused = (target, lang, refusal_message(refusal.reason))
        except audio.UnknownTarget:
            abort(404)
        else:
            db.session.commit()
            catalog.forget_survey(survey.code)
            flash(_("The audio was saved (%(lang)s).", lang=language_name(lang)))
            return redirect(url_for("audio.page", code=survey.code, _anchor=target), code=303)
        survey = survey_or_404(code)
    return _page(survey, refused, 422 if refused else 200)


def _page(survey, refused, status):
    response = current_app.make_response(
        (
            render_template(
                "builder/audio.html",
                survey=survey,
                sheet=audio.audio_sheet(survey),
                refused=refused,
                can_change=may_change_survey(current_user, survey),
                clip_url=clip_url,
                language_name=language_name,
                limit=_limit(),
                made_small=audio_files.tool("AUDIO_FFMPEG") is not None,
            ),
            status,
        )
    )
    return allow_recording(response)


@bp.post("/<code>/audio/autoplay")
@roles_required(*ORG_CHANGE_ROLES)
def autoplay(code):
    """Whether the form plays each question's audio when it comes into view."""
    survey = survey_or_404(code, change=True)
    if audio.set_autoplay(survey, request.form.get("autoplay") == "1", current_user):
        db.session.commit()
        catalog.forget_survey(survey.code)
        flash(_("Saved."))
    return redirect(url_for("audio.page", code=survey.code), code=303)


@bp.route("/<code>/audio/<int:clip_id>/delete", methods=["GET", "POST"])
@roles_required(*ORG_CHANGE_ROLES)
def delete(code, clip_id):
    """Ask first; the confirmed form deletes the clip."""
    survey = survey_or_404(code, change=True)
    clip = audio.clip_by_id(survey, clip_id)
    if clip is None:
        abort(404)
    if request.method == "POST":
        target, lang = clip.target, clip.lang
        audio.delete_audio(survey, clip_id, current_user)
        db.session.commit()
        catalog.forget_survey(survey.code)
        flash(_("The audio was deleted (%(lang)s).", lang=language_name(lang)))
        return redirect(url_for("audio.page", code=survey.code, _anchor=target), code=303)
    line = next(line for line in audio.audio_sheet(survey).lines if line.target == clip.target)
    cell = next(cell for cell in line.cells if cell.lang == clip.lang)
    return render_template(
        "builder/audio_delete.html",
        survey=survey,
        clip=clip,
        line=line,
        cell=cell,
        language_name=language_name,
    )
