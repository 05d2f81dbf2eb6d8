"""The survey builder: create, edit, reorder, open, close, schedule, clone and copy surveys.

Every change leaves the survey a valid definition (survey.definitions.check_definition), moves
its `updated_at` (so the public form, cached by it, shows the change at once) and is written
to the audit log in the same transaction. Once a survey has responses its structure is frozen:
only its texts may still change; a new version is a clone.
"""

import copy
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from survey.accounts.access import may_change_survey, may_read_survey, tag_refusal
from survey.audit import trail
from survey.commune.directory import organization_by_code
from survey.core.extensions import db
from survey.core.local_time import COMMUNE_TIME
from survey.models import (
    AUDIENCES,
    QUESTION_KINDS,
    TOPICS,
    Option,
    Organization,
    PaperEntry,
    Question,
    Response,
    Survey,
    utcnow,
)
from survey.responses import catalog
from survey.responses.answer_rules import LONGEST_TEXT_LIMIT
from survey.responses.release import release_ready
from survey.surveys.definitions import (
    CHOICE_KINDS,
    CODE_PATTERN,
    FIXED_RANGES,
    DefinitionError,
    check_definition,
    dump_definition,
    instantiate,
    load_question_set,
    survey_from_definition,
)

QUESTION_CODE_LENGTH = 32
TEMPLATE_STARTS = ("satisfaction", "participation", "supervision")
BLANK_FIELDS = ("code", "title", "description", "audience", "topic", "year", "status", "languages")


class BuilderError(ValueError):
    """A change the builder refuses; `field` names the form field to mark (or None)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- reading --------------------------------------------------------------------------------


def listed_surveys(user, *, year=None, status=None, topic=None):
    """(survey, response count) rows the user may read, filtered, newest year first."""
    return [
        (survey, count)
        for survey, count in catalog.survey_listing()
        if may_read_survey(user, survey)
        and (year is None or survey.year == year)
        and (not status or survey.status == status)
        and (not topic or survey.topic == topic)
    ]


def survey_for_builder(code):
    """The survey with its questions and options, attached to the session, or None."""
    return catalog.survey_by_code(code)


def response_count(survey):
    """How many responses the survey has."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(Response.survey_id == survey.id)
    )


def is_frozen(survey):
    """Whether the survey's structure is frozen: it has a response, or a paper sheet typed
    once and waiting for its second typing (its answers are kept by question code)."""
    for model in (Response, PaperEntry):
        found = db.session.scalar(sa.select(model.id).where(model.survey_id == survey.id).limit(1))
        if found is not None:
            return True
    return False


def copy_sources(user):
    """Surveys the user may copy into a new year: those it may change, newest first."""
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.year.desc(), Survey.code)).all()
    return [s for s in surveys if may_change_survey(user, s)]


def organizations():
    """Every organization, in the commune's order."""
    return db.session.scalars(
        sa.select(Organization).order_by(Organization.position, Organization.name)
    ).all()


def local_input_value(moment):
    """A stored UTC time as the value of a datetime-local input in the commune's time."""
    if moment is None:
        return ""
    return moment.astimezone(COMMUNE_TIME).strftime("%Y-%m-%dT%H:%M")


def parse_local_time(text):
    """A datetime-local input value (commune time) as a UTC datetime; None when empty.

    Raises ValueError for text that is not a date and time.
    """
    text = (text or "").strip()
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COMMUNE_TIME)
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # the calendar's first or last hours, in UTC
        raise ValueError(f"{text!r} is out of range") from None


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


# --- creating -------------------------------------------------------------------------------


def create_survey(user, *, start, fields, organization_codes, source=None):
    """Create a draft survey: blank, from a question set (`start` is its name), or a copy.

    `fields` holds code, title, description (per language), languages, audience, topic, year
    and double_entry; an empty title keeps the question set's or the copied survey's. For a
    copy (`start` == "copy"), `source` is the earlier survey; its question and option codes stay.
    """
    orgs = _organizations_for(user, organization_codes)
    _check_survey_fields(fields, title_required=start == "blank")
    _check_code_free(fields["code"])
    languages = fields["languages"]
    if start == "blank":
        definition = {"questions": []}
    elif start in TEMPLATE_STARTS:
        names = {lang: ", ".join(o.name for o in orgs) for lang in languages}
        definition = instantiate(
            load_question_set(start),
            code=fields["code"],
            year=fields["year"],
            organizations=[o.code for o in orgs],
            org_names=names,
            languages=languages,
        )
    elif start == "copy":
        if source is None or not may_change_survey(user, source):
            raise BuilderError(_("Choose one of your earlier surveys to copy."), "source")
        definition = _restricted_to(dump_definition(source), languages)
        for field in ("title", "description"):
            definition[field] = {
                lang: text.replace(str(source.year), str(fields["year"]))
                for lang, text in definition.get(field, {}).items()
            }
    else:
        raise BuilderError(_("Choose how to start the survey."), "start")
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
            definition[field] = _texts(fields[field], languages)
    definition.setdefault("description", {})
    survey = _build(definition, user)
    survey.double_entry = fields["double_entry"]
    survey.created_by_id = user.id
    _flush()
    action = "survey.copy" if start == "copy" else "survey.create"
    details = {"start": start}
    if source is not None and start == "copy":
        details["source"] = source.code
    trail.record(action, survey.code, after=survey_record(survey), **details)
    _commit(survey)
    return survey


def clone_survey(user, survey, code):
    """A new draft version of a survey (version + 1, previous_id set) with the same codes."""
    _check_code(code)
    _check_code_free(code)
    definition = dump_definition(survey)
    definition.update(code=code, status="draft")
    definition.pop("opens_at", None)
    definition.pop("closes_at", None)
    clone = _build(definition, user)
    clone.version = survey.version + 1
    clone.previous_id = survey.id
    clone.double_entry = survey.double_entry
    clone.created_by_id = user.id
    _flush()
    trail.record(
        "survey.clone",
        clone.code,
        after=survey_record(clone),
        source=survey.code,
        version=clone.version,
    )
    _commit(clone)
    return clone


def _build(definition, user):
    """A new Survey from a definition (tags as `user` may set them); one without questions yet
    is a blank draft, which the loader refuses but the builder fills question by question."""
    if definition["questions"]:
        survey = _survey_from(definition)
        _refuse_tags(user, [q.organization for q in survey.questions])
        return survey
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
    return survey


def _survey_from(definition):
    try:
        return survey_from_definition(definition)
    except DefinitionError as error:
        if str(error).startswith("code:"):  # taken meanwhile: the loader checks it again
            raise BuilderError(
                _("Another survey already has this code. Choose another code."), "code"
            ) from None
        raise BuilderError(_("The survey cannot be saved: %(detail)s", detail=str(error))) from None


def _refuse_tags(user, organizations):
    """Refuse question tags `user` may not write: an organization's officer tags only its own."""
    if refusal := tag_refusal(user, organizations):
        raise BuilderError(refusal, "organization")


def _organizations_for(user, codes):
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

    def keep(texts):
        return {lang: text for lang, text in (texts or {}).items() if lang in languages}

    definition["title"] = keep(definition["title"])
    definition["description"] = keep(definition.get("description"))
    for question in definition["questions"]:
        question["text"] = keep(question["text"])
        if "help" in question:
            question["help"] = keep(question["help"])
        for option in question.get("options", []):
            option["label"] = keep(option["label"])
    return definition


# --- the survey's own fields ----------------------------------------------------------------


def update_survey(survey, fields):
    """Change a survey's code, texts, languages, audience, topic, year and double entry."""
    before = survey_record(survey)
    old_code = survey.code
    _check_survey_fields(fields, title_required=True)
    if fields["code"] != survey.code:
        _check_code_free(fields["code"])
    if is_frozen(survey):
        changed = [
            key
            for key in ("code", "audience", "topic", "year", "double_entry")
            if fields[key] != getattr(survey, key)
        ]
        if changed:
            raise BuilderError(_frozen_message(), changed[0])
    languages = fields["languages"]
    survey.code = fields["code"]
    survey.title = _texts(fields["title"], languages)
    survey.description = _texts(fields["description"], languages)
    survey.audience = fields["audience"]
    survey.topic = fields["topic"]
    survey.year = fields["year"]
    survey.double_entry = fields["double_entry"]
    if languages != survey.languages:
        survey.languages = languages
        _drop_other_languages(survey, languages)
    trail.record("survey.update", survey.code, before=before, after=survey_record(survey))
    _commit(survey, old_code)
    return survey


def _drop_other_languages(survey, languages):
    for question in survey.questions:
        question.text = _only(question.text, languages)
        question.help = _only(question.help, languages)
        for option in question.options:
            option.label = _only(option.label, languages)


def _only(texts, languages):
    return {lang: text for lang, text in (texts or {}).items() if lang in languages}


def _check_survey_fields(fields, title_required):
    _check_code(fields["code"])
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


def _check_code(code):
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise BuilderError(
            _(
                "The code may use only lowercase letters without accents, digits, - and _ "
                "(at most 64), e.g. hailong-nongdan-2026."
            ),
            "code",
        )


def _check_code_free(code):
    if db.session.scalar(sa.select(Survey.id).where(Survey.code == code)) is not None:
        raise BuilderError(_("Another survey already has this code. Choose another code."), "code")


def _texts(texts, languages):
    return {lang: texts[lang].strip() for lang in languages if (texts.get(lang) or "").strip()}


# --- questions ------------------------------------------------------------------------------


def save_question(user, survey, question, data):
    """Add a question (`question` None) at the end, or change one, as `user`; return it.

    `data` holds code, kind, text, help (per language), required, criterion, organization (a
    code or None), show_if (None or {"question", "in"}), feedback, min_value, max_value,
    max_length and options (a list of {code, label, value} in order).
    """
    frozen = is_frozen(survey)
    before = question_record(question) if question is not None else None
    if question is None and frozen:
        raise BuilderError(_frozen_message())
    data = _normalized(survey, data)
    position = question.position if question is not None else len(survey.questions)
    _check_question(survey, question, data, position)
    if frozen:
        _refuse_structure_change(question, data)
    organization = organization_by_code(data["organization"]) if data["organization"] else None
    _refuse_tags(user, [organization, question.organization if question is not None else None])
    if question is None:
        question = Question(position=position, code=data["code"], kind=data["kind"])
        _fill(question, data, organization)
        survey.questions.append(question)
    elif data["code"] != question.code:
        _rename_in_conditions(survey, question.code, data["code"])
    _fill(question, data, organization)
    _sync_options(question, data["options"])
    _check_whole(survey)
    if before is None:
        trail.record("question.create", _target(survey, question), after=question_record(question))
    else:
        trail.record(
            "question.update",
            _target(survey, question),
            before=before,
            after=question_record(question),
        )
    _commit(survey)
    return question


def _fill(question, data, organization):
    question.code = data["code"]
    question.kind = data["kind"]
    question.text = data["text"]
    question.help = data["help"]
    question.required = data["required"]
    question.criterion = data["criterion"]
    question.organization = organization
    question.show_if = data["show_if"]
    question.feedback = data["feedback"]
    question.min_value = data["min_value"]
    question.max_value = data["max_value"]
    question.max_length = data["max_length"]


def move_question(survey, question, direction):
    """Move a question one place up (direction -1) or down (+1)."""
    _refuse_if_frozen(survey)
    ordered = list(survey.questions)
    index = ordered.index(question)
    other = index + direction
    if direction not in (-1, 1) or not 0 <= other < len(ordered):
        raise BuilderError(_("This question cannot move further."))
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _check_order(ordered)
    before = {"position": question.position}
    _renumber(survey, ordered)
    trail.record(
        "question.move",
        _target(survey, question),
        before=before,
        after={"position": question.position},
    )
    _commit(survey)


def duplicate_question(user, survey, question):
    """Put a copy of a question right after it, with a new unique code."""
    _refuse_if_frozen(survey)
    _refuse_tags(user, [question.organization])
    codes = {q.code for q in survey.questions}
    base = question.code[: QUESTION_CODE_LENGTH - 3]
    number = 2
    while f"{base}_{number}" in codes:
        number += 1
    twin = Question(
        code=f"{base}_{number}",
        kind=question.kind,
        text=dict(question.text),
        help=dict(question.help or {}),
        required=question.required,
        criterion=question.criterion,
        organization=question.organization,
        show_if=copy.deepcopy(question.show_if),
        feedback=question.feedback,
        min_value=question.min_value,
        max_value=question.max_value,
        max_length=question.max_length,
        options=[
            Option(code=o.code, label=dict(o.label), value=o.value, position=o.position)
            for o in question.options
        ],
    )
    ordered = list(survey.questions)
    ordered.insert(ordered.index(question) + 1, twin)
    survey.questions.append(twin)
    _renumber(survey, ordered)
    _check_whole(survey)
    trail.record(
        "question.duplicate",
        _target(survey, twin),
        after=question_record(twin),
        source=question.code,
    )
    _commit(survey)
    return twin


def delete_question(survey, question):
    """Delete a question no other question's condition depends on."""
    _refuse_if_frozen(survey)
    dependents = [
        q.code for q in survey.questions if (q.show_if or {}).get("question") == question.code
    ]
    if dependents:
        raise BuilderError(
            _(
                "Question %(dependent)s is shown by the answer to this question: change or "
                "delete its condition first.",
                dependent=dependents[0],
            )
        )
    before = question_record(question)
    ordered = [q for q in survey.questions if q is not question]
    survey.questions.remove(question)
    _renumber(survey, ordered)
    trail.record("question.delete", _target(survey, question), before=before)
    _commit(survey)


def _target(survey, question):
    return f"{survey.code}/{question.code}"


def _renumber(survey, ordered):
    for position, question in enumerate(ordered):
        question.position = position
    survey.questions = ordered


def _normalized(survey, data):
    languages = survey.languages
    data = dict(data)
    data["code"] = (data.get("code") or "").strip()
    data["text"] = _texts(data.get("text") or {}, languages)
    data["help"] = _texts(data.get("help") or {}, languages)
    data["criterion"] = (data.get("criterion") or "").strip() or None
    data["organization"] = data.get("organization") or None
    data["options"] = [
        {
            "code": (o.get("code") or "").strip(),
            "label": _texts(o.get("label") or {}, languages),
            "value": o.get("value"),
        }
        for o in data.get("options") or []
    ]
    return data


def _check_question(survey, question, data, position):
    code, kind = data["code"], data["kind"]
    if not CODE_PATTERN.match(code) or len(code) > QUESTION_CODE_LENGTH:
        raise BuilderError(
            _(
                "The question code may use only lowercase letters without accents, digits, - "
                "and _ (at most 32), e.g. hl_chamlo."
            ),
            "code",
        )
    if any(q.code == code for q in survey.questions if q is not question):
        raise BuilderError(_("Another question of this survey has this code."), "code")
    if kind not in QUESTION_KINDS:
        raise BuilderError(_("Choose the kind of question."), "kind")
    if not data["text"].get("vi"):
        raise BuilderError(_("Write the question in Vietnamese."), "text_vi")
    if data["criterion"] and (
        not CODE_PATTERN.match(data["criterion"]) or len(data["criterion"]) > 32
    ):
        raise BuilderError(
            _("The criterion is a short code of lowercase letters, e.g. satisfaction."),
            "criterion",
        )
    if data["organization"] and organization_by_code(data["organization"]) is None:
        raise BuilderError(_("Choose an organization from the list."), "organization")
    _check_options(kind, data["options"])
    _check_bounds(kind, data)
    if data["feedback"] and kind != "text":
        raise BuilderError(_("Only a text question can collect feedback."), "feedback")
    earlier = [q for q in survey.questions if q is not question and q.position < position]
    if data["show_if"] is not None:
        _check_condition(data["show_if"], {q.code: _answers_of(q) for q in earlier}, "show_if")
    if question is not None:
        new_answers = _answers_of_data(data)
        for dependent in survey.questions:
            condition = dependent.show_if or {}
            if condition.get("question") == question.code:
                try:
                    _check_condition(condition, {question.code: new_answers}, "show_if")
                except BuilderError:
                    raise BuilderError(
                        _(
                            "Question %(dependent)s is shown by some answers to this question; "
                            "those answers would no longer exist. Change its condition first.",
                            dependent=dependent.code,
                        ),
                        "kind",
                    ) from None


def _check_options(kind, options):
    if kind not in CHOICE_KINDS:
        if options:
            raise BuilderError(
                _("Only a single-choice or multiple-choice question has options."), "options"
            )
        return
    if len(options) < 2:
        raise BuilderError(_("A choice question needs at least two options."), "options")
    seen = set()
    for option in options:
        code = option["code"]
        if not CODE_PATTERN.match(code) or len(code) > 32:
            raise BuilderError(
                _(
                    "Each option needs a code of lowercase letters without accents, digits, - "
                    "or _ (at most 32), e.g. a, b, co_hop."
                ),
                "options",
            )
        if code in seen:
            raise BuilderError(_("Two options have the code %(code)s.", code=code), "options")
        seen.add(code)
        if not option["label"].get("vi"):
            raise BuilderError(
                _("Write the label of option %(code)s in Vietnamese.", code=code), "options"
            )


def _check_bounds(kind, data):
    if kind != "number" and (data["min_value"] is not None or data["max_value"] is not None):
        raise BuilderError(
            _("Only a number question has a smallest and largest value."), "min_value"
        )
    if (
        data["min_value"] is not None
        and data["max_value"] is not None
        and data["min_value"] > data["max_value"]
    ):
        raise BuilderError(_("The smallest value must not be above the largest."), "max_value")
    if data["max_length"] is not None:
        if kind != "text":
            raise BuilderError(_("Only a text question has a length limit."), "max_length")
        if not 1 <= data["max_length"] <= LONGEST_TEXT_LIMIT:
            raise BuilderError(
                _(
                    "The length limit must be from 1 to %(limit)s characters.",
                    limit=LONGEST_TEXT_LIMIT,
                ),
                "max_length",
            )


def _answers_of(question):
    """The answers a condition may name: option codes, or the whole numbers of a fixed scale."""
    if question.kind in CHOICE_KINDS:
        return {o.code for o in question.options}
    if question.kind in FIXED_RANGES:
        low, high = FIXED_RANGES[question.kind]
        return set(range(low, high + 1))
    return None


def _answers_of_data(data):
    if data["kind"] in CHOICE_KINDS:
        return {o["code"] for o in data["options"]}
    if data["kind"] in FIXED_RANGES:
        low, high = FIXED_RANGES[data["kind"]]
        return set(range(low, high + 1))
    return None


def _check_condition(condition, answers_by_code, field):
    target = condition.get("question")
    if target not in answers_by_code:
        raise BuilderError(_("A question can only depend on an earlier question."), field)
    allowed = answers_by_code[target]
    if allowed is None:
        raise BuilderError(
            _("A question can depend only on a choice, scale, yes/no or 0-10 question."), field
        )
    values = condition.get("in") or []
    if not values:
        raise BuilderError(_("Name the answers that show this question."), field)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise BuilderError(
            _("%(value)s is not an answer of question %(code)s.", value=bad[0], code=target),
            field,
        )


def _check_order(ordered):
    seen = set()
    for question in ordered:
        target = (question.show_if or {}).get("question")
        if target and target not in seen:
            raise BuilderError(
                _(
                    "Question %(code)s depends on question %(target)s, so it must stay after it.",
                    code=question.code,
                    target=target,
                )
            )
        seen.add(question.code)


def _rename_in_conditions(survey, old, new):
    for question in survey.questions:
        if question.show_if and question.show_if.get("question") == old:
            question.show_if = {**question.show_if, "question": new}


def _sync_options(question, options):
    """Make the question's options `options`: kept codes are updated in place, so no two rows
    ever hold one code at once."""
    wanted = {o["code"] for o in options}
    existing = {o.code: o for o in question.options}
    for code, option in existing.items():
        if code not in wanted:
            question.options.remove(option)
    if len(existing) != len(question.options):
        db.session.flush()  # the deletes first: a new option may take a deleted one's code
    ordered = []
    for position, data in enumerate(options):
        option = existing.get(data["code"]) or Option(code=data["code"])
        option.label = data["label"]
        option.value = data["value"]
        option.position = position
        ordered.append(option)
    question.options = ordered


def _refuse_structure_change(question, data):
    current = question_record(question)
    proposed = {
        "code": data["code"],
        "kind": data["kind"],
        "required": bool(data["required"]),
        "criterion": data["criterion"],
        "organization": data["organization"],
        "show_if": data["show_if"],
        "feedback": bool(data["feedback"]),
        "min_value": data["min_value"],
        "max_value": data["max_value"],
        "max_length": data["max_length"],
    }
    for key, value in proposed.items():
        if current[key] != value:
            raise BuilderError(_frozen_message(), key)
    old_options = [(o["code"], o["value"]) for o in current.get("options", [])]
    new_options = [(o["code"], o["value"]) for o in data["options"]]
    if old_options != new_options:
        raise BuilderError(_frozen_message(), "options")


def _refuse_if_frozen(survey):
    if is_frozen(survey):
        raise BuilderError(_frozen_message())


def _frozen_message():
    return _(
        "This survey already has responses, so only its wording can change (titles, questions, "
        "help, option labels). To change questions, options or conditions, make a new version."
    )


# --- opening, closing, scheduling -----------------------------------------------------------


def open_survey(survey, now=None):
    """Open a survey for answers now (dates that would keep it shut are cleared)."""
    now = now or utcnow()
    _check_ready(survey)
    _release_if_closed(survey)
    before = survey_record(survey)
    survey.status = "open"
    if survey.opens_at and survey.opens_at > now:
        survey.opens_at = None
    if survey.closes_at and survey.closes_at <= now:
        survey.closes_at = None
    trail.record("survey.open", survey.code, before=before, after=survey_record(survey))
    _commit(survey)


def close_survey(survey):
    """Close a survey: it takes no more answers."""
    if survey.status == "draft":
        raise BuilderError(_("This survey is still a draft: it was never open."))
    before = survey_record(survey)
    survey.status = "closed"
    trail.record("survey.close", survey.code, before=before, after=survey_record(survey))
    _commit(survey)
    # Everything counts once it is closed; released now, it stays counted if it reopens.
    release_ready(survey.id, everything=True)


def schedule_survey(survey, opens_at, closes_at):
    """Take answers between `opens_at` and `closes_at` (UTC; either may be None)."""
    if opens_at and closes_at and opens_at >= closes_at:
        raise BuilderError(_("The closing time must come after the opening time."), "closes_at")
    _check_ready(survey)
    _release_if_closed(survey)
    before = survey_record(survey)
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    survey.status = "open"
    trail.record("survey.schedule", survey.code, before=before, after=survey_record(survey))
    _commit(survey)


def _release_if_closed(survey):
    """A closed survey shows every response; reopened, it must not hide again the ones that
    had not reached a batch."""
    if survey.status != "draft" and survey.state() == "closed":
        release_ready(survey.id, everything=True)


def _check_ready(survey):
    if not survey.questions:
        raise BuilderError(
            _("This survey has no questions yet, so it cannot be opened. Add questions first.")
        )
    _check_whole(survey)


# --- keeping the survey valid and the public form fresh --------------------------------------


def _check_whole(survey):
    """Refuse a change that leaves the survey an invalid definition (the safety net behind
    the checks above)."""
    _flush()
    definition = dump_definition(survey)
    try:
        check_definition(definition)
    except DefinitionError as error:
        # A survey without questions yet is a valid draft: everything else was checked.
        if definition["questions"] or not str(error).startswith("questions:"):
            raise BuilderError(
                _("The survey cannot be saved: %(detail)s", detail=str(error))
            ) from None


def _flush():
    """Flush; a code taken meanwhile by someone else is a form error, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise BuilderError(
            _("Another survey already has this code. Choose another code."), "code"
        ) from None


def _touch(survey):
    """Move updated_at, which the public form's caches are keyed by, strictly forward."""
    now = utcnow()
    previous = survey.updated_at
    if previous is not None and now <= previous:
        now = previous + timedelta(microseconds=1)
    survey.updated_at = now


def _commit(survey, *old_codes):
    _check_whole(survey)
    _touch(survey)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise BuilderError(
            _("Another survey already has this code. Choose another code."), "code"
        ) from None
    for code in {survey.code, *old_codes}:
        catalog.forget_survey(code)
