"""What every change the survey builder makes shares: its refusal (BuilderError), the frozen
rule, the records the audit log keeps, and saving (checked whole, flushed, never committed).

The builder's services (survey_fields, questions, survey_life) change the session and flush,
each inside a savepoint (in_savepoint); the boundary that called them (a view, a command)
commits once, then drops the public form's cached copy of the survey
(survey.surveys.catalog.forget_survey), and on a BuilderError rolls back. Every change leaves
the survey a valid definition (definitions.check_definition), moves its `updated_at` (the
public form's cache is keyed by it) and adds its audit entry before the flush. Once a survey
has responses its structure is frozen: only its texts may still change; a new version is a
clone.
"""

from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from survey.accounts.access import tag_refusal
from survey.core.extensions import db
from survey.models import PaperEntry, Response, utcnow
from survey.surveys.definitions import DefinitionError, check_definition, dump_definition
from survey.surveys.question_rules import CHOICE_KINDS


class BuilderError(ValueError):
    """A change the builder refuses; `field` names the form field to mark (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def code_taken():
    """The refusal of a survey code another survey has."""
    return BuilderError(_("Another survey already has this code. Choose another code."), "code")


def in_savepoint(service):
    """Run a builder service inside a savepoint of the caller's transaction.

    Its changes are flushed when it returns, still inside the savepoint: a survey code taken
    meanwhile by someone else is then a form error, not a 500, and a refusal takes back only
    what the service did. The caller's transaction stays usable; the caller commits.
    """

    @wraps(service)
    def in_its_savepoint(*args, **kwargs):
        _begin_writing_on_sqlite()
        try:
            # The savepoint opens before the service changes anything: SQLAlchemy flushes what
            # is pending when a savepoint begins, so only what comes after is inside it.
            with db.session.begin_nested():
                return service(*args, **kwargs)
        except IntegrityError:
            raise code_taken() from None

    return in_its_savepoint


def _begin_writing_on_sqlite():
    """Make sure SQLite has begun the caller's transaction before a savepoint opens.

    Python's sqlite3 begins a transaction only right before its first write: a SAVEPOINT
    before any write would itself be the transaction, and its RELEASE would commit the change
    there, in the service. BEGIN IMMEDIATE takes the write lock at once (waiting as a write
    would), so the reads that follow cannot go stale before the writes.
    """
    connection = db.session.connection()
    if (
        connection.dialect.name == "sqlite"
        and not connection.connection.dbapi_connection.in_transaction
    ):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def save(survey):
    """End a change to `survey`: check it whole, move its updated_at and flush (inside the
    service's savepoint, see in_savepoint)."""
    check_whole(survey)
    _touch(survey)
    db.session.flush()


def check_whole(survey):
    """Refuse a change that leaves the survey an invalid definition (the safety net behind
    the builder's own checks)."""
    definition = dump_definition(survey)
    try:
        check_definition(definition)
    except DefinitionError as error:
        # A survey without questions yet is a valid draft: everything else was checked.
        if definition["questions"] or not str(error).startswith("questions:"):
            raise BuilderError(
                _("The survey cannot be saved: %(detail)s", detail=str(error))
            ) from None


def _touch(survey):
    """Move updated_at, which the public form's caches are keyed by, strictly forward."""
    now = utcnow()
    previous = survey.updated_at
    if previous is not None and now <= previous:
        now = previous + timedelta(microseconds=1)
    survey.updated_at = now


def mark_changed(survey):
    """A change outside the survey's definition (its audio): move updated_at all the same, so
    the public form shows it."""
    _touch(survey)


def is_frozen(survey):
    """Whether the survey's structure is frozen: it has a response, or a paper sheet typed
    once and waiting for its second typing (its answers are kept by question code)."""
    for model in (Response, PaperEntry):
        found = db.session.scalar(sa.select(model.id).where(model.survey_id == survey.id).limit(1))
        if found is not None:
            return True
    return False


def refuse_if_frozen(survey):
    """Refuse a change of structure to a survey that has responses."""
    if is_frozen(survey):
        raise BuilderError(frozen_message())


def frozen_message():
    """Why a frozen survey's structure may not change, and what to do instead."""
    return _(
        "This survey already has responses, so only its wording can change (titles, questions, "
        "help, option labels). To change questions, options or conditions, make a new version."
    )


def refuse_tags(user, organizations):
    """Refuse question tags `user` may not write: an organization's officer tags only its own."""
    if refusal := tag_refusal(user, organizations):
        raise BuilderError(refusal, "organization")


def texts(typed, languages):
    """Typed texts per language, trimmed, only in `languages` and only those not blank."""
    return {lang: typed[lang].strip() for lang in languages if (typed.get(lang) or "").strip()}


def survey_record(survey):
    """The survey's own fields as plain values, for the audit log."""
    return {
        "code": survey.code,
        "title": dict(survey.title or {}),
        "description": dict(survey.description or {}),
        "audience": survey.audience,
        "topic": survey.topic,
        "year": survey.year,
        "languages": list(survey.languages or []),
        "double_entry": bool(survey.double_entry),
        "status": survey.status,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "organizations": [o.code for o in survey.organizations],
        "version": survey.version,
    }


def question_record(question):
    """The question as its definition gives it (code, kind, texts, options...), for the log."""
    record = {
        "code": question.code,
        "kind": question.kind,
        "position": question.position,
        "text": dict(question.text or {}),
        "help": dict(question.help or {}),
        "required": bool(question.required),
        "criterion": question.criterion,
        "organization": question.organization.code if question.organization else None,
        "show_if": question.show_if,
        "feedback": bool(question.feedback),
        "min_value": question.min_value,
        "max_value": question.max_value,
        "max_length": question.max_length,
    }
    if question.kind in CHOICE_KINDS:
        record["options"] = [
            {"code": o.code, "label": dict(o.label), "value": o.value} for o in question.options
        ]
    return record
