"""The audit log in words: each entry as one sentence ("Nguyễn Văn A (Văn phòng Đảng ủy) đã chốt
xếp loại năm 2025 của Hội Nông dân xã: Hoàn thành nhiệm vụ"), and its changes as labelled
fields with their values in words (tier, status and role names, local times, names instead of
codes). The stored entry is never changed; its raw record stays one click away on the page.
"""

import json
import tomllib
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analytics import criterion_label, tier_label
from survey.audit.search import readable, usernames
from survey.audit.trail import COMMAND_LINE
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.dialogues import audit_words as dialogue_words
from survey.dialogues.meetings import DIALOGUE_KIND_NAMES
from survey.feedback.inbox import STATUS_LABELS as FEEDBACK_STATUS_LABELS
from survey.feedback.inbox import topic_label
from survey.indicators.figures import LABELS as INDICATOR_LABELS
from survey.models import FeedbackItem, Organization, Survey, Unit, User
from survey.models.vocabulary import (
    AUDIENCE_NAMES,
    COMMENDATION_GROUND_NAMES,
    KIND_NAMES,
    LANGUAGE_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
    TASK_STATUS_NAMES,
    TOPIC_NAMES,
)
from survey.programmes.words import AUDIT_ACTIONS, AUDIT_FIELDS, AUDIT_KINDS
from survey.surveys.audio_words import AUDIO_ACTIONS, AUDIO_KINDS

# The kinds of change, as the filter offers them (an action's first word).
KINDS = {
    "survey.": _l("Surveys"),
    "question.": _l("Questions of a survey"),
    "responses.": _l("Responses imported from a file"),
    "paper.": _l("Paper sheets"),
    "feedback.": _l("Feedback and replies"),
    "indicator.": _l("Annual figures"),
    "evaluation.": _l("Annual ratings"),
    "head.": _l("Heads and deputies"),
    "commendation.": _l("Commendations"),
    "ruleset.": _l("The rule set"),
    "user.": _l("Accounts"),
    "unit.": _l("Villages"),
    "organization.": _l("Organizations"),
    "setting.": _l("Commune settings"),
    "database.": _l("Backup and restore"),
} | dialogue_words.KINDS

# Each action: its name in the filter, and the sentence of an entry (without who did it).
ACTIONS = {
    "survey.create": (_l("Survey created"), _l("created the survey “%(survey)s”")),
    "survey.copy": (_l("Survey copied"), _l("created the survey “%(survey)s” as a copy")),
    "survey.update": (_l("Survey changed"), _l("changed the survey “%(survey)s”")),
    "survey.open": (_l("Survey opened"), _l("opened the survey “%(survey)s” to answers")),
    "survey.close": (_l("Survey closed"), _l("closed the survey “%(survey)s”")),
    "survey.schedule": (
        _l("Survey dates set"),
        _l("set when the survey “%(survey)s” takes answers"),
    ),
    "survey.clone": (
        _l("New version of a survey"),
        _l("made version %(version)s of the survey “%(survey)s”"),
    ),
    "question.create": (
        _l("Question added"),
        _l("added the question “%(question)s” to the survey “%(survey)s”"),
    ),
    "question.update": (
        _l("Question changed"),
        _l("changed the question “%(question)s” of the survey “%(survey)s”"),
    ),
    "question.move": (
        _l("Question moved"),
        _l("moved the question “%(question)s” of the survey “%(survey)s”"),
    ),
    "question.duplicate": (
        _l("Question duplicated"),
        _l("duplicated the question “%(question)s” of the survey “%(survey)s”"),
    ),
    "question.delete": (
        _l("Question deleted"),
        _l("deleted the question “%(question)s” from the survey “%(survey)s”"),
    ),
    "responses.import": (
        _l("Responses imported"),
        _l("imported %(added)s responses from a file into the survey “%(survey)s”"),
    ),
    "paper.correct": (
        _l("Paper sheet corrected"),
        _l("corrected the paper sheet no. %(sheet)s of %(village)s in the survey “%(survey)s”"),
    ),
    "paper.withdraw": (
        _l("Paper sheet withdrawn"),
        _l("withdrew the paper sheet no. %(sheet)s of %(village)s from the survey “%(survey)s”"),
    ),
    "feedback.topic": (_l("Feedback tagged"), _l("tagged a feedback item to %(org)s")),
    "feedback.status": (
        _l("Feedback moved along"),
        _l("moved a feedback item to %(org)s to “%(status)s”"),
    ),
    "feedback.reply": (
        _l("Reply written"),
        _l("wrote the reply to a feedback item to %(org)s"),
    ),
    "feedback.publish": (
        _l("Reply published"),
        _l("published a feedback item to %(org)s and its reply"),
    ),
    "feedback.unpublish": (
        _l("Reply withdrawn"),
        _l("withdrew a feedback item to %(org)s and its reply from the public page"),
    ),
    "indicator.update": (
        _l("Annual figures changed"),
        _l("changed the %(year)s figures of %(org)s"),
    ),
    "evaluation.self": (
        _l("Self-assessment written"),
        _l("wrote the %(year)s self-assessment of %(org)s"),
    ),
    "evaluation.review": (
        _l("Review written"),
        _l("reviewed the %(year)s year of %(org)s"),
    ),
    "evaluation.decide": (
        _l("Tier decided"),
        _l("decided the %(year)s tier of %(org)s: %(tier)s"),
    ),
    "head.add": (
        _l("Head or deputy added"),
        _l("recorded a head or deputy of %(org)s for %(year)s"),
    ),
    "head.remove": (
        _l("Head or deputy removed"),
        _l("removed a head or deputy of %(org)s for %(year)s"),
    ),
    "head.decide": (
        _l("Head's tier decided"),
        _l("decided the %(year)s tier of %(person_name)s (%(org)s): %(tier)s"),
    ),
    "commendation.add": (
        _l("Put on the list of commendations"),
        _l("put %(org)s on the %(year)s list of commendations"),
    ),
    "commendation.remove": (
        _l("Taken off the list of commendations"),
        _l("took %(org)s off the %(year)s list of commendations"),
    ),
    "commendation.confirm": (
        _l("List of commendations confirmed"),
        _l("confirmed the %(year)s list of commendations"),
    ),
    "evaluation.finalize": (
        _l("Rating finalized"),
        _l("finalized the %(year)s rating of %(org)s: %(tier)s"),
    ),
    "evaluation.refinalize": (
        _l("Rating finalized again"),
        _l("finalized the %(year)s rating of %(org)s again: %(tier)s"),
    ),
    "ruleset.update": (_l("Rule set changed"), _l("changed the commune's rule set")),
    "user.create": (_l("Account created"), _l("created the account of %(person)s")),
    "user.update": (_l("Account changed"), _l("changed the account of %(person)s")),
    "user.deactivate": (_l("Account locked"), _l("locked the account of %(person)s")),
    "user.reactivate": (_l("Account reopened"), _l("reopened the account of %(person)s")),
    "user.password_reset": (
        _l("Password set"),
        _l("set a new password for %(person)s"),
    ),
    "unit.create": (_l("Village added"), _l("added the village %(unit)s")),
    "unit.update": (_l("Village changed"), _l("changed the village %(unit)s")),
    "organization.create": (_l("Organization added"), _l("added the organization %(org)s")),
    "organization.update": (_l("Organization changed"), _l("changed the organization %(org)s")),
    "setting.update": (_l("Settings changed"), _l("changed the commune settings")),
    "database.backup": (_l("Database backed up"), _l("backed up the database to %(file)s")),
    "database.restore": (
        _l("Database restored"),
        _l("restored the database from %(file)s"),
    ),
} | dialogue_words.ACTIONS

# The fields an entry changes, by the words people know them by.
FIELD_LABELS = (
    {
        "code": _l("Code"),
        "title": _l("Title"),
        "description": _l("Introduction"),
        "audience": _l("Who answers"),
        "topic": _l("Topic"),
        "year": _l("Year"),
        "languages": _l("Languages"),
        "double_entry": _l("Paper forms typed twice"),
        "status": _l("Status"),
        "opens_at": _l("Opens at"),
        "closes_at": _l("Closes at"),
        "organizations": _l("Organizations it evaluates"),
        "version": _l("Version"),
        "kind": _l("Kind of question"),
        "position": _l("Place in the survey"),
        "text": _l("Question"),
        "help": _l("Help"),
        "required": _l("An answer is required"),
        "criterion": _l("Criterion"),
        "organization": _l("Organization"),
        "show_if": _l("Shown only on a condition"),
        "feedback": _l("Answers are feedback to reply to"),
        "min_value": _l("Smallest value"),
        "max_value": _l("Largest value"),
        "max_length": _l("Longest answer (characters)"),
        "options": _l("Options"),
        "username": _l("Username"),
        "full_name": _l("Full name"),
        "email": _l("E-mail address"),
        "role": _l("Role"),
        "unit": _l("Village"),
        "active": _l("Can sign in"),
        "name": _l("Name"),
        "short_name": _l("Short name"),
        "adult_population": _l("Adult population"),
        "households": _l("Households"),
        "members_count": _l("Number of members"),
        "is_front": _l("The Fatherland Front committee"),
        "leads_commendations": _l("Draws up the list of commendations"),
        "ground": _l("Ground"),
        "note": _l("Notes"),
        "entries": _l("Entries"),
        "programmes": _l("New programmes"),
        "COMMUNE_NAME": _l("Commune name"),
        "DISTRICT_NAME": _l("District"),
        "PROVINCE_NAME": _l("Province"),
        "PUBLIC_BASE_URL": _l("Public address of the site"),
        "SUPPRESSION_K": _l("Smallest group shown"),
        "forwarded_to": _l("Forwarded to"),
        "forwarded_at": _l("Forwarded on"),
        "answered_at": _l("Answered on"),
        "closed_at": _l("Closed on"),
        "public_reply": _l("Public reply"),
        "published": _l("On the public page"),
        "score": _l("Score"),
        "tier": _l("Rating"),
        "reason": _l("Reason"),
        "data_digest": _l("Fingerprint of the data"),
        "finalized_at": _l("Finalized on"),
        "toml": _l("The rule set's changes (TOML)"),
        "added": _l("Responses added"),
        "source": _l("Made from"),
        "start": _l("Started from"),
        "revision": _l("Schema revision"),
        "questions": _l("Questions changed"),
        "strengths": _l("Strengths and results"),
        "limitations": _l("Limitations and shortcomings"),
        "causes": _l("Their causes"),
        "remedies": _l("How they will be remedied"),
        "proposed_tier": _l("Tier it proposes"),
        "review": _l("Review comments"),
        "computed": _l("Computed tier"),
        "job": _l("Position"),
        "waiting": _l("Still waiting for its second typing"),
    }
    | INDICATOR_LABELS
    | dialogue_words.FIELD_LABELS
)

# Detail fields that say nothing to a reader (they stay in the raw record).
QUIET_FIELDS = {
    "replaced",
    "organization",
    "year",
    "data_digest",
    "unit",
    "sheet",
    "name",
    "meeting",
    "task",  # said in the sentence
    "filename",
    "sent",  # said in the sentence
}

# The programmes' and tasks' words, kept beside their code (survey/programmes/words.py).
KINDS |= AUDIT_KINDS | AUDIO_KINDS
ACTIONS |= AUDIT_ACTIONS | AUDIO_ACTIONS
FIELD_LABELS |= AUDIT_FIELDS
QUIET_FIELDS |= {"task", "programme"}


@dataclass(frozen=True)
class Change:
    """One changed field, in words."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryInWords:
    """An audit entry as its reader sees it: when, who, what, and the changes."""

    entry: object
    when: str
    who: str
    sentence: str
    changes: tuple
    notes: tuple
    raw: str


class Names:
    """The names behind the codes an entry holds, read once for a page of entries."""

    def __init__(self, entries):
        self.surveys = {
            code: title or {}
            for code, title in db.session.execute(sa.select(Survey.code, Survey.title)).all()
        }
        self.organizations = dict(
            db.session.execute(sa.select(Organization.code, Organization.name)).all()
        )
        self.units = dict(db.session.execute(sa.select(Unit.code, Unit.name)).all())
        self.people = {user.username: user for user in db.session.scalars(sa.select(User))}
        feedback_ids = {
            int(entry.target.split(":", 1)[1])
            for entry in entries
            if entry.target.startswith("feedback:") and entry.target[9:].isdigit()
        }
        found = sa.select(FeedbackItem.id, Organization.name).join(
            Organization, FeedbackItem.organization_id == Organization.id
        )
        self.feedback_orgs = (
            dict(db.session.execute(found.where(FeedbackItem.id.in_(feedback_ids))).all())
            if feedback_ids
            else {}
        )

    def survey(self, code, fallback=None):
        """A survey's title now; else the title the entry logged, else its code."""
        return _text(self.surveys.get(code)) or fallback or code

    def organization(self, code):
        return self.organizations.get(code, code)

    def unit(self, code):
        return self.units.get(code, code)

    def person(self, username):
        """A person by name and role, e.g. "Nguyễn Thị Lan (Văn phòng Đảng ủy)"."""
        user = self.people.get(username)
        if user is None:
            return username
        role = str(ROLE_NAMES.get(user.role, user.role))
        name = user.full_name or user.username
        if role in name:
            return name
        if name.endswith(")"):  # "Phạm Văn Thành (Hội Nông dân)": the role joins the brackets
            return f"{name[:-1]}; {role})"
        return f"{name} ({role})"


def _lang():
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def _text(texts):
    """A survey's or question's text in the reader's language, else in Vietnamese."""
    if not isinstance(texts, dict):
        return texts or ""
    return texts.get(_lang()) or texts.get("vi") or next(iter(texts.values()), "")


def local_time(value):
    """A logged instant (ISO text) as the commune's local time, dd/mm/yyyy HH:mm."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(COMMUNE_TIME)
    return format_datetime(moment.replace(tzinfo=None), "dd/MM/yyyy HH:mm", rebase=False)


def local_day(value):
    """A logged day (ISO text) as dd/mm/yyyy."""
    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def value_in_words(action, field, value, names):
    """A logged value as its reader knows it: names, labels, local times, yes or no."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    named = {
        "tier": lambda v: tier_label(v, _lang()),
        "proposed_tier": lambda v: tier_label(v, _lang()),
        "role": lambda v: ROLE_NAMES.get(v, v),
        "audience": lambda v: AUDIENCE_NAMES.get(v, v),
        "kind": lambda v: KIND_NAMES.get(v, v),
        "organization": names.organization,
        "unit": names.unit,
        "criterion": _criterion,
        "meeting_kind": lambda v: DIALOGUE_KIND_NAMES.get(v, v),
    }
    if field == "status":
        labels = FEEDBACK_STATUS_LABELS if action.startswith("feedback.") else STATUS_NAMES
        labels = TASK_STATUS_NAMES if action.startswith("task.") else labels
        return str(labels.get(value, value))
    if field == "topic":
        return str(
            topic_label(value) if action.startswith("feedback.") else TOPIC_NAMES.get(value, value)
        )
    if field in named:
        return str(named[field](value))
    if field in ("organizations", "parties"):
        return ", ".join(names.organization(code) for code in value)
    if field.endswith("_on"):  # a day (ISO), as people write it
        return "/".join(reversed(str(value).split("-")))
    if field == "ground":
        return str(COMMENDATION_GROUND_NAMES.get(value, value))
    if field == "languages":
        return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in value)
    if field.endswith("_at"):
        return local_time(value)
    if field.endswith("_on"):
        return local_day(value)
    if field == "options":
        return ", ".join(_text(option.get("label")) for option in value if isinstance(option, dict))
    if field == "show_if":
        return _("yes")
    if field == "toml":
        return _rule_set_words(value)
    if isinstance(value, dict):
        return _text(value)
    return str(readable(value))


def _rule_set_words(text):
    """A saved rule set by its title (the TOML itself is in the raw record)."""
    try:
        title = tomllib.loads(text).get("title")
    except (tomllib.TOMLDecodeError, AttributeError):
        title = None
    return str(title) if title else _("changed (see the raw record)")


def _criterion(code):
    try:
        return criterion_label(code, _lang())
    except KeyError:  # a criterion of the commune's own, named by its code
        return code


def changes_in_words(entry, names):
    """The fields an entry changed, labelled, before -> after, in words."""
    details = entry.details or {}
    before, after = details.get("before") or {}, details.get("after") or {}
    return tuple(
        Change(
            str(FIELD_LABELS.get(key, key)),
            value_in_words(entry.action, key, before.get(key), names),
            value_in_words(entry.action, key, after.get(key), names),
        )
        for key in {**before, **after}
        if key not in ("data_digest",)
    )


def notes_in_words(entry, names):
    """The entry's other details worth reading (the source of a copy, a count), labelled."""
    details = entry.details or {}
    return tuple(
        (str(FIELD_LABELS.get(key, key)), _note_value(key, value, names))
        for key, value in details.items()
        if key not in ("before", "after") and key not in QUIET_FIELDS
    )


def _note_value(key, value, names):
    if key == "source":
        return names.survey(value)
    if key == "computed":
        return tier_label(value, _lang()) if value else "—"
    if key == "questions":
        return ", ".join(_("question %(number)s", number=n) for n in value)
    return str(readable(value))


def who_did_it(entry, names):
    if entry.username == COMMAND_LINE:
        return _("The server's command line")
    return names.person(entry.username)


def _facts(entry, names):
    """What an entry's sentence names: the survey, question, organization, person, tier..."""
    details = entry.details or {}
    after, before = details.get("after") or {}, details.get("before") or {}
    target = entry.target or ""
    head, _slash, tail = target.partition("/")
    kind, _colon, code = target.partition(":")
    question = after.get("text") or before.get("text")
    org_code = details.get("organization") or head
    title = after.get("title") or before.get("title")
    return {
        "survey": names.survey(head, fallback=_text(title) if title else head),
        "question": _text(question) if question else tail,
        "version": details.get("version", ""),
        "added": details.get("added", ""),
        "org": names.feedback_orgs.get(int(code))
        if kind == "feedback" and code.isdigit()
        else names.organization(code if kind == "organization" else org_code),
        "unit": names.unit(code),
        "village": names.unit(details.get("unit")),
        "person_name": details.get("name", ""),
        "meeting": details.get("meeting", ""),
        "sheet": details.get("sheet", ""),
        "person": names.person(code),
        "year": details.get("year") or tail,
        "tier": tier_label(after["tier"], _lang()) if after.get("tier") else "—",
        "status": str(FEEDBACK_STATUS_LABELS.get(after.get("status"), after.get("status") or "—")),
        "file": target,
        "task": details.get("task", ""),
        "filename": details.get("filename", ""),
        "programme": details.get("programme", ""),
        "sent": details.get("sent", ""),
    }


def entry_in_words(entry, names):
    """One entry as its reader sees it."""
    name, phrase = ACTIONS.get(entry.action, (None, None))
    who = who_did_it(entry, names)
    if phrase is None:  # an action this version does not know: said as it is
        sentence = _(
            "%(who)s: %(action)s %(target)s", who=who, action=entry.action, target=entry.target
        )
    else:
        did = str(phrase) % _facts(entry, names)
        sentence = _("%(who)s %(did)s.", who=who, did=did)
    return EntryInWords(
        entry=entry,
        when=format_datetime(entry.at, "dd/MM/yyyy HH:mm"),
        who=who,
        sentence=sentence,
        changes=changes_in_words(entry, names),
        notes=notes_in_words(entry, names),
        raw=json.dumps(entry.details or {}, ensure_ascii=False, indent=2, sort_keys=True),
    )


def page_in_words(entries):
    """A page of entries in words (the names behind their codes read once)."""
    names = Names(entries)
    return [entry_in_words(entry, names) for entry in entries]


def kind_choices():
    """The kinds of change and each action, named, for the filter: (value, label, is_kind)."""
    choices = []
    for prefix, label in KINDS.items():
        choices.append((prefix, str(label), True))
        for action, (name, _phrase) in ACTIONS.items():
            if action.startswith(prefix):
                choices.append((action, str(name), False))
    return choices


def people_choices():
    """Everyone who appears in the log, by name and role, for the filter: (username, label)."""
    names = Names([])
    return [
        (
            username,
            _("The server's command line") if username == COMMAND_LINE else names.person(username),
        )
        for username in usernames()
    ]
