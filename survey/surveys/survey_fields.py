"""A survey's own fields in the builder: creating a draft (blank, from a ready question set, or
a copy of an earlier survey) and changing its code, texts, languages, audience, topic and year.

Services: each changes the session and flushes in a savepoint (survey.surveys.changes); the
caller commits.
"""

import copy

import sqlalchemy as sa
from flask_babel import gettext as _

from survey.accounts.access import may_change_survey
from survey.audit import trail
from survey.core.codes import survey_code
from survey.core.extensions import db
from survey.core.tenancy import across_communes
from survey.models import AUDIENCES, TOPICS, Organization, Survey
from survey.surveys.changes import (
    BuilderError,
    code_taken,
    frozen_message,
    in_savepoint,
    is_frozen,
    refuse_tags,
    save,
    survey_record,
    texts,
)
from survey.surveys.definitions import (
    CODE_PATTERN,
    DefinitionError,
    dump_definition,
    instantiate,
    load_question_set,
    survey_from_definition,
)
from survey.surveys.listing import organizations

TEMPLATE_STARTS = ("satisfaction", "participation", "supervision")
BLANK_FIELDS = ("code", "title", "description", "audience", "topic", "year", "status", "languages")


@in_savepoint
def create_survey(user, *, start, fields, organization_codes, source=None):
    """Create a draft survey: blank, from a question set (`start` is its name), or a copy.

    `fields` holds code, title, description (per language), languages, audience, topic, year
    and double_entry; an empty title keeps the question set's or the copied survey's. For a
    copy (`start` == "copy"), `source` is the earlier survey; its question and option codes stay.
    """
    orgs = organizations_for(user, organization_codes)
    made = not fields["code"]
    fields = dict(fields, code=fields["code"] or "khao-sat")  # made from the title below
    check_survey_fields(fields, title_required=start == "blank")
    if not made:
        check_code_free(fields["code"])
    languages = fields["languages"]
    definition = _starting_definition(user, start, fields, orgs, source)
    if made:
        title = (fields.get("title") or {}).get("vi") or definition.get("title", {}).get("vi")
        fields["code"] = survey_code(title, fields["year"], _survey_codes())
    definition.update(
        code=fields["code"],
        year=fields["year"],
        audience=fields["audience"],
        topic=fields["topic"],
        languages=languages,
        organizations=[o.code for o in orgs],
        status="draft",
    )
    definition.pop("opens_at", None)
    definition.pop("closes_at", None)
    for field in ("title", "description"):
        if any(fields[field].values()):
            definition[field] = texts(fields[field], languages)
    definition.setdefault("description", {})
    survey = build_survey(definition, user)
    survey.double_entry = fields["double_entry"]
    survey.created_by_id = user.id
    action = "survey.copy" if start == "copy" else "survey.create"
    details = {"start": start}
    if source is not None and start == "copy":
        details["source"] = source.code
    trail.record(action, survey.code, after=survey_record(survey), **details)
    save(survey)
    return survey


def _starting_definition(user, start, fields, orgs, source):
    """The definition a new survey starts from: none, a question set's, or the copied one's."""
    if start == "blank":
        return {"questions": []}
    if start in TEMPLATE_STARTS:
        return instantiate(
            load_question_set(start),
            code=fields["code"],
            year=fields["year"],
            organizations=[o.code for o in orgs],
            org_names={lang: ", ".join(o.name for o in orgs) for lang in fields["languages"]},
            languages=fields["languages"],
        )
    if start != "copy":
        raise BuilderError(_("Choose how to start the survey."), "start")
    if source is None or not may_change_survey(user, source):
        raise BuilderError(_("Choose one of your earlier surveys to copy."), "source")
    definition = _restricted_to(dump_definition(source), fields["languages"])
    for field in ("title", "description"):
        definition[field] = {
            lang: text.replace(str(source.year), str(fields["year"]))
            for lang, text in definition.get(field, {}).items()
        }
    return definition


def build_survey(definition, user):
    """A new Survey, version 1, from a definition (tags as `user` may set them); one without
    questions yet is a blank draft, which the loader refuses but the builder fills question by
    question."""
    if definition["questions"]:
        survey = _survey_from(definition)
        refuse_tags(user, [q.organization for q in survey.questions])
    else:
        found = db.session.scalars(
            sa.select(Organization).where(Organization.code.in_(definition["organizations"]))
        ).all()
        by_code = {o.code: o for o in found}
        definition.setdefault("description", {})
        survey = Survey(
            **{key: definition[key] for key in BLANK_FIELDS},
            organizations=[by_code[c] for c in definition["organizations"]],
        )
        db.session.add(survey)
    # Set now, not by the column's default at the flush: the audit entry is written before it.
    survey.version = 1
    return survey


def _survey_from(definition):
    try:
        return survey_from_definition(definition)
    except DefinitionError as error:
        if str(error).startswith("code:"):  # taken meanwhile: the loader checks it again
            raise code_taken() from None
        raise BuilderError(_("The survey cannot be saved: %(detail)s", detail=str(error))) from None


def organizations_for(user, codes):
    """The organizations a new survey of `user`'s evaluates: an officer's own, or those the
    office chose (`codes`), in the directory's order."""
    if user.role == "org_officer":
        return [user.organization]
    if user.role != "admin":
        raise BuilderError(_("Only an organization officer or the office builds surveys."))
    found = db.session.scalars(sa.select(Organization).where(Organization.code.in_(codes))).all()
    if not found or len(found) != len(set(codes)):
        raise BuilderError(_("Choose the organization(s) this survey evaluates."), "organizations")
    order = {code: i for i, code in enumerate(o.code for o in organizations())}
    return sorted(found, key=lambda o: order[o.code])


def _restricted_to(definition, languages):
    """The definition with texts only in `languages`."""
    definition = copy.deepcopy(definition)
    definition["title"] = _only(definition["title"], languages)
    definition["description"] = _only(definition.get("description"), languages)
    for question in definition["questions"]:
        question["text"] = _only(question["text"], languages)
        if "help" in question:
            question["help"] = _only(question["help"], languages)
        for option in question.get("options", []):
            option["label"] = _only(option["label"], languages)
    return definition


@in_savepoint
def update_survey(survey, fields):
    """Change a survey's code, texts, languages, audience, topic, year and double entry."""
    before = survey_record(survey)
    check_survey_fields(fields, title_required=True)
    if fields["code"] != survey.code:
        check_code_free(fields["code"])
    if is_frozen(survey):
        changed = [
            key
            for key in ("code", "audience", "topic", "year", "double_entry")
            if fields[key] != getattr(survey, key)
        ]
        if changed:
            raise BuilderError(frozen_message(), changed[0])
    languages = fields["languages"]
    survey.code = fields["code"]
    survey.title = texts(fields["title"], languages)
    survey.description = texts(fields["description"], languages)
    survey.audience = fields["audience"]
    survey.topic = fields["topic"]
    survey.year = fields["year"]
    survey.double_entry = fields["double_entry"]
    if languages != survey.languages:
        survey.languages = languages
        _drop_other_languages(survey, languages)
    trail.record("survey.update", survey.code, before=before, after=survey_record(survey))
    save(survey)
    return survey


def _drop_other_languages(survey, languages):
    for question in survey.questions:
        question.text = _only(question.text, languages)
        question.help = _only(question.help, languages)
        for option in question.options:
            option.label = _only(option.label, languages)


def _only(texts_by_language, languages):
    return {lang: text for lang, text in (texts_by_language or {}).items() if lang in languages}


def check_survey_fields(fields, title_required):
    """Refuse a code, audience, topic, year, languages or (when required) title not allowed."""
    check_code(fields["code"])
    if fields["audience"] not in AUDIENCES:
        raise BuilderError(_("Choose who answers the survey."), "audience")
    if fields["topic"] not in TOPICS:
        raise BuilderError(_("Choose the topic of the survey."), "topic")
    year = fields["year"]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise BuilderError(_("Write the year with four digits, between 2000 and 2100."), "year")
    if "vi" not in fields["languages"]:
        raise BuilderError(
            _("Every survey is in Vietnamese; other languages are extra."), "languages"
        )
    if title_required and not fields["title"].get("vi", "").strip():
        raise BuilderError(_("Write the title in Vietnamese."), "title_vi")


def check_code(code):
    """Refuse a survey code that is not 1-64 lowercase letters, digits, - and _."""
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise BuilderError(
            _(
                "The code may use only lowercase letters without accents, digits, - and _ "
                "(at most 64), e.g. hailong-nongdan-2026."
            ),
            "code",
        )


def _survey_codes():
    return survey_codes_taken()


def survey_codes_taken():
    """Every survey code of the deployment: codes are unique across its communes (a printed QR
    code names no commune), so a new code must avoid the other communes' too."""
    with across_communes():
        return set(db.session.scalars(sa.select(Survey.code)))


def check_code_free(code):
    """Refuse a survey code another survey has, in any commune."""
    if code in survey_codes_taken():
        raise code_taken()
