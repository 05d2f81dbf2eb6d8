"""Taking a survey: the form, the thank-you page with the receipt, the receipt check."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from survey.accounts.access import may_read_survey
from survey.commune import settings
from survey.core.bounded_cache import LRUCache
from survey.core.errors import UNAVAILABLE, retry_later, rollback_quietly
from survey.core.extensions import csrf, db, limiter
from survey.core.i18n import select_locale
from survey.core.rate_limits import officer_signed_in, worker_limit
from survey.models import Invitation, Survey, Unit
from survey.responses import audio_clips, catalog, link_cards, qr
from survey.responses.answer_rules import plain_number
from survey.responses.invitations import (
    InvitationRefused,
    find_invitation,
    format_code,
    normalize_code,
)
from survey.responses.release import release_ready
from survey.responses.storing import SubmissionConflict, submit_response
from survey.responses.survey_form import NO_UNIT, answer_words, build_form

bp = Blueprint("take", __name__)

ANSWERED_KEY = "answered"  # in the signed session cookie: survey code -> receipt
STARTED_MAX_AGE = 7 * 24 * 3600  # a form filled offline may be sent days later


def submit_limit():
    """The per-address POST limit, from SUBMIT_RATE_LIMIT (this worker's share of it when each
    worker counts alone)."""
    return worker_limit("SUBMIT_RATE_LIMIT")()


@bp.route("/s/<code>", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
# The form checks its own CSRF token, so that an expired one shows the answers again instead of
# the extension's bare 400 page.
@csrf.exempt
def form(code):
    """Show the survey form (GET) and store a submission (POST)."""
    survey, preview = _survey_to_take(code)
    state = survey.state()
    if state != "open" and not preview:
        # Nothing is stored; a POST gets 410 so an offline queue stops resending it.
        status = 410 if request.method == "POST" else 200
        page = render_template(
            "take/closed.html", survey=survey, state=state, lang=content_language(survey)
        )
        return page, status
    visit = _read_visit(survey, preview)
    if visit.member and visit.invitation is None and request.method == "GET":
        return _slip_page(visit)
    if request.method == "GET":
        return _first_page(visit)
    return _take_answers(visit)


@dataclass(frozen=True)
class _Visit:
    """What a request to a survey's form is about, read once: the survey, the language to show
    it in, the slip it comes with and where its village comes from."""

    survey: Survey
    lang: str
    preview: bool
    member: bool  # a member survey answered for real: it takes a slip's code
    typed_code: str  # that code, as typed or read from the slip's QR code ("" without one)
    invitation: Invitation | None  # the slip the code names, used or not
    fixed_unit: Unit | None  # the slip's village, or the one of the address (?u=)
    units: Sequence[Unit] | None  # the villages to choose from, when none is fixed


def _survey_to_take(code):
    """The survey of the address, and whether it shows as a preview (a draft, to those who may
    read it); 404 for an unknown survey and, to everyone else, for a draft."""
    survey = catalog.survey_snapshot(code)
    if survey is None:
        abort(404)
    if survey.status != "draft":
        return survey, False
    if not may_see_draft(survey):
        abort(404)  # a draft does not exist for the public
    return survey, True


def _read_visit(survey, preview):
    """The language, the slip and the village the request comes with."""
    lang = content_language(survey)
    member = survey.audience == "member" and not preview
    typed_code, invitation = _slip_in_request(survey, member)
    if invitation is not None:
        fixed_unit = invitation.unit
    else:
        fixed_unit = None if member else catalog.unit_by_code(request.args.get("u"))
    units = None if (fixed_unit or member) else catalog.units()
    return _Visit(survey, lang, preview, member, typed_code, invitation, fixed_unit, units)


def _slip_in_request(survey, member):
    """The slip's code sent with a member survey's address or answers, and the slip it names."""
    typed_code = request.values.get("k", "") if member else ""
    # A used slip opens the form as an unused one does: that it was used is said only when
    # answers are sent with it, so nobody learns from the form when a member answered.
    invitation = find_invitation(survey, typed_code) if typed_code else None
    return typed_code, invitation


def _slip_page(visit):
    """Ask for a slip's code: member surveys open with the code of a printed slip (in its QR
    code, or typed); 404 when the code sent names no slip."""
    page = render_template(
        "take/invitation.html", survey=visit.survey, lang=visit.lang, typed=visit.typed_code
    )
    return page, 404 if visit.typed_code else 200


def _first_page(visit):
    """A blank form; for a public survey already answered on this phone, its receipt."""
    survey = visit.survey
    answered = session.get(ANSWERED_KEY, {}).get(survey.code)
    if answered and not visit.member and request.args.get("again") != "1":
        return render_template(
            "take/already.html", survey=survey, receipt=answered, lang=visit.lang
        )
    hidden = {
        "submission_uid": str(uuid.uuid4()),
        "started": _started_token(),
        "csrf": _csrf_value(),
        "k": format_code(normalize_code(visit.typed_code)) if visit.member else None,
        "unit": "",
    }
    if _page_is_shared(visit.member, visit.preview):
        return _blank_page(survey, visit.lang, visit.fixed_unit, visit.units, hidden)
    return _form_page(visit, None, hidden)


def _take_answers(visit):
    """Check the answers sent and store them; the form again, with what is wrong, otherwise."""
    form = build_form(visit.survey, visit.lang, visit.units, member=visit.member)
    hidden = {
        "submission_uid": form.submission_uid.data,
        "started": form.started.data,
        "csrf": _csrf_value(),
        "k": form.k.data if visit.member else None,
        "unit": form.unit.data if visit.units is not None else "",
    }
    if visit.preview:
        return _form_page(visit, form, hidden), 200
    if not form.validate_on_submit():
        expired = _forgive_expired_token(form)
        return _form_page(visit, form, hidden, expired=expired), 422
    if not _valid_uid(form.submission_uid.data):
        abort(400)
    return _store(visit, form, hidden)


def _forgive_expired_token(form):
    """Whether the answers came with an expired or missing CSRF token; if so its error is
    dropped, the page saying so itself."""
    token = getattr(form, "csrf_token", None)  # absent when CSRF is switched off
    if token is None or not token.errors:
        return False
    # An expired or missing token must not lose the answers: show them again with a fresh
    # token and ask the person to send once more.
    token.errors = []
    return True


def _store(visit, form, hidden):
    """Store the checked answers and thank the person, or say why they were not stored."""
    survey = visit.survey
    unit_id = visit.fixed_unit.id if visit.fixed_unit else _chosen_unit_id(form)
    try:
        receipt = submit_response(
            survey,
            form.answers(),
            submission_uid=form.submission_uid.data,
            unit_id=unit_id,
            channel="web",
            lang=visit.lang,
            started_at=_started_at(form.started.data),
            invitation_code=visit.typed_code if visit.member else None,
        )
        db.session.commit()
    except UNAVAILABLE:
        # Nothing was stored (the transaction is all or nothing): the answers come back with
        # the same submission_uid, so sending again cannot count them twice.
        rollback_quietly()
        return _form_page(visit, form, hidden, busy=True), 503, retry_later()
    except SubmissionConflict:
        return render_template("take/conflict.html", survey=survey, lang=visit.lang), 409
    except InvitationRefused:
        return _refused_slip_page(visit, form, hidden)
    if receipt.created:
        release_ready(survey.id)  # after the commit: the response joins its batch
    return _thank(survey, receipt, visit.lang)


def _refused_slip_page(visit, form, hidden):
    """The answers again, asking for another slip's code."""
    form.k.errors.append(
        _("This slip code is wrong or used. Type another slip's code, send again.")
    )
    # The same page for an unknown code and a used one: not even the slip's village.
    page = _render(visit.survey, form, visit.lang, None, visit.preview, hidden, visit.units)
    return page, 422


def _form_page(visit, form, hidden, **shown):
    """The form page for this visit; `shown`: expired=True or busy=True to say so."""
    return _render(
        visit.survey,
        form,
        visit.lang,
        visit.fixed_unit,
        visit.preview,
        hidden,
        visit.units,
        **shown,
    )


def _thank(survey, receipt, lang):
    """After storing: remember the receipt on this phone and show it."""
    if receipt.code is None:
        # Sent again, and first stored before receipts were kept apart: it was counted, but
        # its code cannot be told again.
        return render_template("take/done.html", survey=survey, receipt=None, lang=lang)
    remembered = dict(session.get(ANSWERED_KEY, {}))
    remembered[survey.code] = receipt.code
    session[ANSWERED_KEY] = remembered
    return redirect(url_for("take.done", code=survey.code, receipt=receipt.code), code=303)


@bp.get("/s/<code>/done/<receipt>")
def done(code, receipt):
    """Thank the person and show the receipt code."""
    survey = _printable_survey(code)
    if catalog.receipt_survey_id(receipt) != survey.id:
        abort(404)
    return render_template(
        "take/done.html", survey=survey, receipt=receipt, lang=content_language(survey)
    )


@bp.get("/r/")
def receipt_lookup():
    """A box to type a receipt code in; the code typed (`?code=`) opens its receipt page."""
    typed = "".join((request.args.get("code") or "").split()).upper()[:20]
    if typed:
        return redirect(url_for("take.receipt", receipt=typed), code=303)
    return render_template("take/receipt.html", receipt=None, title=None)


@bp.get("/r/<receipt>")
# Anonymous checks are limited per address like the other public pages that do work: nobody
# tries receipt codes by the thousand.
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def receipt(receipt):
    """Say whether a receipt code was counted, and in which survey; nothing else."""
    code = receipt.strip().upper()
    survey_id = catalog.receipt_survey_id(code)
    if survey_id is None:
        return render_template("take/receipt.html", receipt=receipt, title=None), 404
    title = catalog.survey_title_by_id(survey_id) or {}
    shown = title.get(select_locale()) or title.get("vi") or next(iter(title.values()), "")
    # The published feedback of the survey and how far each came is added by the feedback
    # package, above this one, through the template function it offers (replies_views).
    return render_template("take/receipt.html", receipt=code, title=shown, survey_id=survey_id)


def preview_page(survey, answered=False):
    """The survey form exactly as a citizen sees it, marked as a preview, for drafts too.

    With `answered`, the sent answers are checked and shown again as a citizen would see
    them; nothing is ever stored.
    """
    lang = content_language(survey)
    units = catalog.units()
    hidden = {
        "submission_uid": str(uuid.uuid4()),
        "started": "",
        "csrf": _csrf_value(),
        "k": None,
        "unit": "",
    }
    form = None
    if answered:
        form = build_form(survey, lang, units)
        form.validate()
        hidden["unit"] = form.unit.data or ""
    return _render(survey, form, lang, None, True, hidden, units)


def content_language(survey):
    """The survey language to show: ?lang= or the interface language when the survey has it."""
    for candidate in (request.args.get("lang"), select_locale()):
        if candidate in survey.languages:
            return candidate
    return "vi" if "vi" in survey.languages else survey.languages[0]


# What a worker keeps of the public form, each bounded (least recently used entries go):
# (code, updated_at, content language, interface language) -> the blank questions' HTML,
_BLANK_QUESTIONS = LRUCache(128)
# and the whole first-visit page of a public survey, with slots for what differs per visit,
# kept by what shapes it (see _blank_page); never by the address as sent.
_BLANK_PAGES = LRUCache(256)
SLOTS = {"submission_uid": "__SUBMISSION_UID__", "started": "__STARTED__", "csrf": "__CSRF__"}


def _csrf_value():
    return generate_csrf() if current_app.config.get("WTF_CSRF_ENABLED", True) else ""


def _page_is_shared(member, preview):
    """A first visit by an anonymous person to a public survey, with only ?u= and ?lang=:
    the page is the same for everyone but for its three hidden values."""
    return (
        not member
        and not preview
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and set(request.args) <= {"u", "lang"}
    )


def _blank_page(survey, lang, fixed_unit, units, hidden):
    """The shared first-visit page, kept by what shapes it: the survey's version, its content
    and interface languages, the village of the QR code (a made-up ?u= is no village), the
    list of villages to choose from, and the commune's settings (the page shows its name)."""
    key = (
        survey.code,
        survey.updated_at,
        lang,
        select_locale(),
        fixed_unit.code if fixed_unit else None,
        None if units is None else tuple((unit.code, unit.name) for unit in units),
        settings.settings_stamp(),
        request.url_root,  # the link preview's addresses, while PUBLIC_BASE_URL is local
    )
    page = _BLANK_PAGES.get(key)
    if page is None:
        # The language switch leads back to this page as the key names it, not as typed.
        here = url_for("take.form", code=survey.code, u=key[4])
        page = _render(survey, None, lang, fixed_unit, False, hidden | SLOTS, units, here=here)
        # An earlier version of this survey, or of the settings, is never asked for again.
        _BLANK_PAGES.discard_where(lambda k: k[0] == key[0] and (k[1], k[6]) != (key[1], key[6]))
        _BLANK_PAGES[key] = page
    for name, slot in SLOTS.items():
        # The values are a UUID and signed tokens: nothing in them needs escaping.
        page = page.replace(slot, hidden[name])
    return page


def _render(
    survey, form, lang, fixed_unit, preview, hidden, units, expired=False, busy=False, here=None
):
    """The form page. Without `form` (a first visit) the questions come blank from a cache;
    with one (answers sent back) they show what was typed and what is wrong. `here`: the
    address the language switch comes back to (by default the request's)."""
    if form is None:
        key = (survey.code, survey.updated_at, lang, select_locale())
        questions_html = _BLANK_QUESTIONS.get(key)
        if questions_html is None:
            blank = build_form(survey, lang, formdata=None)
            questions_html = _questions_html(survey, blank, lang)
            # An earlier version of this survey is never asked for again.
            _BLANK_QUESTIONS.discard_where(lambda k: k[0] == key[0] and k[1] != key[1])
            _BLANK_QUESTIONS[key] = questions_html
        errors = {}
    else:
        questions_html = _questions_html(survey, form, lang)
        errors = {name: messages[0] for name, messages in form.errors.items() if messages}
        errors.pop("csrf_token", None)
    return render_template(
        "take/form.html",
        survey=survey,
        lang=lang,
        fixed_unit=fixed_unit,
        preview=preview,
        expired=expired,
        busy=busy,
        questions_html=questions_html,
        hidden=hidden,
        units=units,
        errors=errors,
        here=here,
        audio_url=_audio_urls(survey, lang),
    )


def _audio_urls(survey, lang):
    """audio_url(target): the address of the clip of `target` in `lang`, or None."""
    clips = audio_clips.clip_index(survey)

    def audio_url(target):
        clip = clips.get((target, lang))
        return audio_clips.clip_url(survey.code, clip) if clip is not None else None

    return audio_url


def _questions_html(survey, form, lang):
    # Rendered from our own template, escaped there; the Markup only keeps it from being
    # escaped twice.
    rendered = render_template(
        "take/_questions.html",
        survey=survey,
        form=form,
        lang=lang,
        audio_url=_audio_urls(survey, lang),
    )
    return Markup(rendered)  # nosec B704 # a template the app rendered, escaped there


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="survey-form-started")


def _started_token():
    return _serializer().dumps(int(datetime.now(timezone.utc).timestamp()))


def _started_at(token):
    """When the form was rendered, if the token is ours and recent; else None."""
    try:
        seconds = _serializer().loads(token or "", max_age=STARTED_MAX_AGE)
    except BadSignature:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _valid_uid(value):
    try:
        return str(uuid.UUID(value, version=4)) == value
    except (TypeError, ValueError):
        return False


def _chosen_unit_id(form):
    if not hasattr(form, "unit"):
        return None  # the village came with the address, or from the member's slip
    chosen = form.unit.data
    if chosen in (None, "", NO_UNIT):
        return None
    unit = catalog.unit_by_code(chosen)
    return unit.id if unit else None


@bp.app_template_filter("plain_number")
def plain_number_filter(value):
    """12.0 -> '12', 2.5 -> '2,5' (Vietnamese decimal comma)."""
    return plain_number(value)


@bp.app_template_filter("show_if_label")
def show_if_label(value, target, lang):
    """How an answer named in a show_if condition reads to the person."""
    words = answer_words(value, target, lang)
    return f"{value} ({words})" if target.kind == "likert5" else words


def may_see_draft(survey):
    """Whether the signed-in visitor may see this draft's public pages: only who may read it in
    the workspace, as the builder's preview; to everyone else a draft does not exist."""
    return current_user.is_authenticated and may_read_survey(current_user, survey)


def _printable_survey(code):
    """The survey for a QR code, poster or thank-you page: public once not a draft."""
    survey = catalog.survey_by_code(code)
    if survey is None or (survey.status == "draft" and not may_see_draft(survey)):
        abort(404)
    return survey


@bp.get("/s/<code>/audio/<int:clip_id>-<digest>.<any(mp3, m4a, aac, ogg, wav, webm):ext>")
@limiter.limit(worker_limit("AUDIO_RATE_LIMIT"), exempt_when=officer_signed_in)
def audio(code, clip_id, digest, ext):
    """A recording of one of the survey's texts, to whoever may see its form: anyone, once
    the survey is not a draft; a draft's, only who may read it (its preview)."""
    survey = catalog.survey_snapshot(code)
    if survey is None or (survey.status == "draft" and not may_see_draft(survey)):
        abort(404)
    clip = audio_clips.clip_for(survey, clip_id, digest)
    if clip is None or audio_clips.EXTENSIONS[clip.content_type] != ext:
        abort(404)
    return audio_clips.clip_response(clip, public=survey.status != "draft")


@bp.get("/s/<code>/qr.<any(svg, png):kind>")
# Drawing a QR code is the costliest thing an anonymous request can ask for here.
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def qr_code(code, kind):
    """The survey's QR code (SVG or PNG), for one village with ?u=."""
    survey = _printable_survey(code)
    unit = catalog.unit_by_code(request.args.get("u"))
    url = qr.survey_url(survey.code, unit.code if unit else None)
    if kind == "svg":
        return Response(qr.qr_svg(url), mimetype="image/svg+xml")
    return Response(qr.qr_png(url), mimetype="image/png")


@bp.get("/s/<code>/poster")
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def poster(code):
    """A printable A4 poster: title, why it matters, the QR code, the short address, the dates."""
    survey = _printable_survey(code)
    unit = catalog.unit_by_code(request.args.get("u"))
    url = qr.survey_url(survey.code, unit.code if unit else None)
    if may_see_draft(survey):  # an officer who may read the survey: back to its page
        back = (url_for("builder.edit", code=survey.code, _anchor="invite"), _("The survey"))
    else:
        back = (
            url_for("take.form", code=survey.code, u=unit.code if unit else None),
            _("Open the survey"),
        )
    return render_template(
        "take/poster.html",
        page_path=url_for("take.poster", code=survey.code, u=unit.code if unit else None),
        survey=survey,
        unit=unit,
        url=url,
        back_url=back[0],
        back_label=back[1],
        qr=qr.qr_data_uri(url),
        lang=content_language(survey),
        feedback_url=qr.public_url(url_for("replies.index")),
    )


@bp.get("/s/<code>/preview.png")
@limiter.limit(worker_limit("PUBLIC_PAGE_RATE_LIMIT"), exempt_when=officer_signed_in)
def preview_image(code):
    """The survey's link preview card (1200×630 PNG) in ?lang=, for Zalo and Facebook; as
    visible as the form (a draft's is 404 to the public)."""
    survey, draft = _survey_to_take(code)
    lang = link_cards.card_language(survey, request.args.get("lang"))
    words = link_cards.survey_words(survey, lang)
    return link_cards.png_response(f"s{survey.id}-{lang}", words, public=not draft)


@bp.app_context_processor
def _link_cards():
    """`survey_link_card(survey, lang, page_path)` for the <head> of the survey's pages."""
    return {"survey_link_card": link_cards.survey_card}
