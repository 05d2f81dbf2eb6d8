"""A survey's life in the builder: open it now, close it, schedule when it takes answers, and
make a new draft version of it (a clone, to change a frozen structure).

Services: each changes the session and flushes in a savepoint (survey.surveys.changes); the
caller commits. The batches of responses (survey.responses.release) are released in
transactions of their own, so the caller runs those steps around its commit:
release_if_closed before reopening a survey, release_after_closing once the close is
committed.
"""

from datetime import timezone

from flask_babel import gettext as _

from survey.audit import trail
from survey.core.codes import survey_code
from survey.core.local_time import COMMUNE_TIME, typed_moment
from survey.models import utcnow
from survey.responses.release import release_ready
from survey.surveys.audio import copy_audio
from survey.surveys.changes import BuilderError, check_whole, in_savepoint, save, survey_record
from survey.surveys.definitions import dump_definition
from survey.surveys.survey_fields import (
    build_survey,
    check_code,
    check_code_free,
    survey_codes_taken,
)


@in_savepoint
def open_survey(survey, now=None):
    """Open a survey for answers now (dates that would keep it shut are cleared)."""
    now = now or utcnow()
    _check_ready(survey)
    before = survey_record(survey)
    survey.status = "open"
    if survey.opens_at and survey.opens_at > now:
        survey.opens_at = None
    if survey.closes_at and survey.closes_at <= now:
        survey.closes_at = None
    trail.record("survey.open", survey.code, before=before, after=survey_record(survey))
    save(survey)


@in_savepoint
def close_survey(survey):
    """Close a survey: it takes no more answers (then release_after_closing, once committed)."""
    if survey.status == "draft":
        raise BuilderError(_("This survey is still a draft: it was never open."))
    before = survey_record(survey)
    survey.status = "closed"
    trail.record("survey.close", survey.code, before=before, after=survey_record(survey))
    save(survey)


@in_savepoint
def dates_in_order(opens_at, closes_at):
    """Whether a survey may take answers between these times (either may be None)."""
    return not (opens_at and closes_at and opens_at >= closes_at)


def schedule_survey(survey, opens_at, closes_at):
    """Take answers between `opens_at` and `closes_at` (UTC; either may be None)."""
    if not dates_in_order(opens_at, closes_at):
        raise BuilderError(_("The closing time must come after the opening time."), "closes_at")
    _check_ready(survey)
    before = survey_record(survey)
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    survey.status = "open"
    trail.record("survey.schedule", survey.code, before=before, after=survey_record(survey))
    save(survey)


def _check_ready(survey):
    if not survey.questions:
        raise BuilderError(
            _("This survey has no questions yet, so it cannot be opened. Add questions first.")
        )
    check_whole(survey)


def release_if_closed(survey):
    """Before a closed survey is opened or scheduled again: release every response it holds.

    A closed survey shows every response; reopened, it must not hide again the ones that had
    not reached a batch. Its own transaction (committed by release_ready), run before the
    reopening's, while the survey is still closed and takes no answers: released after it, a
    response sent in between would show on its own.
    """
    if survey.status != "draft" and survey.state() == "closed":
        release_ready(survey.id, everything=True)


def release_after_closing(survey):
    """Once a close is committed: everything counts, released now, and stays counted if the
    survey reopens (release_ready's own transaction)."""
    release_ready(survey.id, everything=True)


@in_savepoint
def clone_survey(user, survey, code):
    """A new draft version of a survey (version + 1, previous_id set) with the same codes; its
    own code made from the title, year and version when `code` is empty."""
    if not code:
        taken = survey_codes_taken()
        title = f"{survey.text('title', 'vi')} v{survey.version + 1}"
        code = survey_code(title, survey.year, taken)
    check_code(code)
    check_code_free(code)
    definition = dump_definition(survey)
    definition.update(code=code, status="draft")
    definition.pop("opens_at", None)
    definition.pop("closes_at", None)
    clone = build_survey(definition, user)
    clone.version = survey.version + 1
    clone.previous_id = survey.id
    clone.double_entry = survey.double_entry
    clone.created_by_id = user.id
    trail.record(
        "survey.clone",
        clone.code,
        after=survey_record(clone),
        source=survey.code,
        version=clone.version,
    )
    save(clone)
    copy_audio(survey, clone)  # the same texts keep their recordings
    return clone


def local_input_value(moment):
    """A stored UTC time as the officer reads and types it, in commune time: 01/03/2026 07:00."""
    if moment is None:
        return ""
    return moment.astimezone(COMMUNE_TIME).strftime("%d/%m/%Y %H:%M")


def parse_local_time(text, end_of_day=False):
    """A typed day and time (commune time) as a UTC datetime; None when empty.

    Read as dd/mm/yyyy with an optional hh:mm (also "7h30"); a day without a time is its first
    minute, or its last with `end_of_day` (a closing day counts whole). ISO text (2026-03-01T07:00,
    what a datetime-local input sends) is read too. Raises ValueError for anything else.

    >>> parse_local_time("01/03/2026 07:00").isoformat()
    '2026-03-01T00:00:00+00:00'
    >>> parse_local_time("31/3/2026", end_of_day=True).isoformat()
    '2026-03-31T16:59:00+00:00'
    """
    text = (text or "").strip()
    if not text:
        return None
    parsed = typed_moment(text, end_of_day)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMMUNE_TIME)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # the calendar's first or last hours, in UTC
        raise ValueError(f"{text!r} is out of range") from None
