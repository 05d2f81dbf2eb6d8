"""Survey definitions (docs/contract.md#survey-definition-json): check, load into models, dump.

Also instantiates the ready question sets of survey/question_sets/ for an organization and year.
"""

import copy
import json
from datetime import datetime, timezone
from importlib import resources

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.languages import content_languages
from survey.core.tenancy import across_communes
from survey.core.text_safety import strip_control_texts
from survey.models import AUDIENCES, SURVEY_STATUSES, TOPICS, Option, Organization, Question, Survey
from survey.surveys.question_rules import (
    CODE_PATTERN,
    Problem,
    Rule,
    check_question,
    check_texts,
    is_code,
    target_of,
)

QUESTION_SETS = ("satisfaction", "participation", "supervision")
# A definition is nested 7 deep (survey > questions > question > options > option > label >
# text); one much deeper is refused before a check shows (repr) any part of it.
MAX_DEPTH = 12


class DefinitionError(ValueError):
    """A survey definition that cannot be loaded; the message names the field."""


def load_question_set(name):
    """The ready question set `name` (satisfaction, participation, supervision) as a dict."""
    if name not in QUESTION_SETS:
        raise DefinitionError(f"question set {name!r}: expected one of {', '.join(QUESTION_SETS)}")
    text = (
        resources.files("survey.surveys")
        .joinpath("question_sets", f"{name}.json")
        .read_text("utf-8")
    )
    return json.loads(text)


def instantiate(question_set, *, code, year, organizations, org_names, languages=("vi", "en")):
    """A definition from a question set: `{org}` and `{year}` filled in, questions tagged.

    `org_names` maps a language to the name that replaces `{org}`. With one organization every
    criterion and feedback question is about it; with several, feedback questions go to the
    first one and criterion questions stay untagged (about all of them).
    """
    definition = copy.deepcopy(question_set)

    def fill(texts):
        return {
            lang: value.format(org=org_names.get(lang, org_names["vi"]), year=year)
            for lang, value in texts.items()
            if lang in languages
        }

    definition.update(code=code, year=year, organizations=list(organizations))
    definition["languages"] = list(languages)
    definition["title"] = fill(definition["title"])
    definition["description"] = fill(definition.get("description", {}))
    for question in definition["questions"]:
        question["text"] = fill(question["text"])
        for option in question.get("options") or []:
            option["label"] = fill(option["label"])
        tagged = question.get("criterion") or question.get("feedback")
        if len(organizations) == 1 and tagged or question.get("feedback"):
            question["organization"] = organizations[0]
    return definition


def check_definition(definition):
    """Raise DefinitionError naming the first field that is wrong; return the definition."""
    if not isinstance(definition, dict):
        raise DefinitionError("definition: expected a JSON object")
    _check_depth(definition)
    for key in ("code", "audience", "topic", "year", "title", "questions"):
        if key not in definition:
            raise DefinitionError(f"{key}: missing")
    if not isinstance(definition["code"], str) or not CODE_PATTERN.match(definition["code"]):
        raise DefinitionError(
            f"code: {definition['code']!r} must be 1-64 lowercase letters, digits, - or _"
        )
    _check_choice("audience", definition["audience"], AUDIENCES)
    _check_choice("topic", definition["topic"], TOPICS)
    _check_choice("status", definition.get("status", "draft"), SURVEY_STATUSES)
    year = definition["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise DefinitionError(f"year: {year!r} must be a whole year between 2000 and 2100")
    languages = definition.get("languages", ["vi"])
    if (
        not isinstance(languages, list)
        or not all(isinstance(lang, str) for lang in languages)
        or "vi" not in languages
    ):
        raise DefinitionError(f"languages: {languages!r} must be a list that includes 'vi'")
    offered = content_languages()
    for lang in languages:
        if lang not in offered:
            raise DefinitionError(
                f"languages: {lang!r} is not a language surveys are written in here "
                f"({', '.join(offered)}; the SURVEY_LANGUAGES setting)"
            )
    _check_texts("title", definition["title"], languages)
    if "description" in definition:
        _check_texts("description", definition["description"], languages, required=False)
    organizations = definition.get("organizations", [])
    if not isinstance(organizations, list) or not all(map(is_code, organizations)):
        raise DefinitionError(f"organizations: {organizations!r} must be a list of codes")
    opens_at = _timestamp("opens_at", definition.get("opens_at"))
    closes_at = _timestamp("closes_at", definition.get("closes_at"))
    if opens_at and closes_at and opens_at >= closes_at:
        raise DefinitionError("closes_at: must come after opens_at")
    questions = definition["questions"]
    if not isinstance(questions, list) or not questions:
        raise DefinitionError("questions: expected a non-empty list")
    _check_questions(questions, languages)
    return definition


def _check_depth(definition):
    """Refuse a definition nested deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(definition, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DefinitionError(f"definition: nested too deeply (more than {MAX_DEPTH} levels)")
        if isinstance(value, dict | list):
            parts = value.values() if isinstance(value, dict) else value
            stack.extend((part, depth + 1) for part in parts if isinstance(part, dict | list))


def _check_choice(field, value, allowed):
    if value not in allowed:
        raise DefinitionError(f"{field}: {value!r} is not one of {', '.join(allowed)}")


def _check_texts(field, texts, languages, required=True):
    try:
        check_texts(field, texts, languages, required)
    except Problem as problem:
        raise DefinitionError(worded(problem)) from None


# The command line's words for each broken question rule, after the JSON path of the field.
ENGLISH = {
    Rule.QUESTION_SHAPE: "expected an object",
    Rule.CODE_FORM: "{code!r} must be 1-32 lowercase letters, digits, - or _",
    Rule.CODE_TAKEN: "{code!r} is used twice",
    Rule.KIND_UNKNOWN: "{kind!r} is not one of {allowed}",
    Rule.TEXTS_SHAPE: "expected an object of texts per language",
    Rule.TEXT_LANGUAGE: "language {language!r} is not in languages",
    Rule.VIETNAMESE_MISSING: "the Vietnamese text is missing",
    Rule.CRITERION_FORM: "{criterion!r} must be 1-32 lowercase letters, digits, - or _",
    Rule.ORGANIZATION_FORM: "{organization!r} must be a code",
    Rule.OPTIONS_TOO_FEW: "a {kind} question needs at least two options",
    Rule.OPTIONS_NOT_ALLOWED: "a {kind} question has no options",
    Rule.OPTION_CODE_FORM: "{code!r} is not a valid option code",
    Rule.OPTION_CODE_TAKEN: "{code!r} is used twice",
    Rule.OPTION_VALUE_NUMBER: "{value!r} must be a number of at most {largest:g}",
    Rule.BOUNDS_NUMBER_ONLY: "only a number question has numeric bounds, of at most {largest:g}",
    Rule.BOUND_NUMBER: "only a number question has numeric bounds, of at most {largest:g}",
    Rule.BOUNDS_REVERSED: "must not be below min_value",
    Rule.MAX_LENGTH_TEXT_ONLY: "only a text question has a max_length, from 1 to {limit}",
    Rule.MAX_LENGTH_RANGE: "only a text question has a max_length, from 1 to {limit}",
    Rule.FEEDBACK_TEXT_ONLY: "only a text question collects feedback, not a {kind} question",
    Rule.CONDITION_SHAPE: 'expected {{"question": CODE, "in": [...]}}',
    Rule.CONDITION_NOT_EARLIER: "{question!r} is not an earlier question",
    Rule.CONDITION_KIND: "cannot depend on a {kind} question",
    Rule.CONDITION_NO_ANSWERS: "expected a non-empty list",
    Rule.CONDITION_NOT_AN_ANSWER: "{value!r} is not an answer of {question!r}",
}


def worded(problem, where=""):
    """A broken question rule as the command line says it: the JSON path of the field (inside
    `where`, the question's own path), then what is wrong."""
    path = ".".join(part for part in (where, problem.field) if part)
    return f"{path}: {ENGLISH[problem.rule].format(**problem.values)}"


def _check_questions(questions, languages):
    earlier = {}
    for index, question in enumerate(questions):
        try:
            check_question(question, languages=languages, earlier=earlier, other_codes=earlier)
        except Problem as problem:
            raise DefinitionError(worded(problem, f"questions[{index}]")) from None
        options = question.get("options") or []
        earlier[question["code"]] = target_of(question["kind"], [o["code"] for o in options])


def without_control(definition):
    """A copy of `definition` whose texts (titles, descriptions, questions, help, option
    labels) hold no control characters; anything malformed is left for check_definition."""
    cleaned = _texts_without_control(definition, ("title", "description"))
    questions = cleaned.get("questions") if isinstance(cleaned, dict) else None
    if isinstance(questions, list):
        cleaned["questions"] = [_question_without_control(q) for q in questions]
    return cleaned


def _question_without_control(question):
    cleaned = _texts_without_control(question, ("text", "help"))
    options = cleaned.get("options") if isinstance(cleaned, dict) else None
    if isinstance(options, list):
        cleaned["options"] = [_texts_without_control(o, ("label",)) for o in options]
    return cleaned


def _texts_without_control(item, keys):
    if not isinstance(item, dict):
        return item
    return item | {key: strip_control_texts(item[key]) for key in keys if key in item}


def survey_from_definition(definition):
    """Check a definition and add a new Survey with its questions to the session (draft).

    Control characters in its texts are dropped, as everywhere text comes in."""
    definition = without_control(definition)
    check_definition(definition)
    with across_communes():  # survey codes are unique in the whole deployment
        taken = db.session.scalar(sa.select(Survey.id).where(Survey.code == definition["code"]))
    if taken:
        raise DefinitionError(f"code: a survey {definition['code']!r} already exists")
    codes = set(definition.get("organizations", []))
    codes.update(q["organization"] for q in definition["questions"] if q.get("organization"))
    organizations = {
        o.code: o
        for o in db.session.scalars(sa.select(Organization).where(Organization.code.in_(codes)))
    }
    missing = sorted(codes - set(organizations))
    if missing:
        raise DefinitionError(f"organizations: no organization with code {missing[0]!r}")
    survey = Survey(
        code=definition["code"],
        title=definition["title"],
        description=definition.get("description", {}),
        audience=definition["audience"],
        topic=definition["topic"],
        year=definition["year"],
        status=definition.get("status", "draft"),
        opens_at=_timestamp("opens_at", definition.get("opens_at")),
        closes_at=_timestamp("closes_at", definition.get("closes_at")),
        languages=definition.get("languages", ["vi"]),
        organizations=[organizations[c] for c in definition.get("organizations", [])],
    )
    for position, q in enumerate(definition["questions"]):
        question = Question(
            code=q["code"],
            position=position,
            kind=q["kind"],
            text=q["text"],
            help=q.get("help", {}),
            required=bool(q.get("required", False)),
            criterion=q.get("criterion"),
            organization=organizations.get(q.get("organization")),
            show_if=q.get("show_if"),
            feedback=bool(q.get("feedback", False)),
            min_value=q.get("min_value"),
            max_value=q.get("max_value"),
            max_length=q.get("max_length"),
        )
        question.options = [
            Option(code=o["code"], label=o["label"], value=o.get("value"), position=i)
            for i, o in enumerate(q.get("options") or [])
        ]
        survey.questions.append(question)
    db.session.add(survey)
    return survey


def _timestamp(field, value):
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DefinitionError(f"{field}: {value!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise DefinitionError(f"{field}: {value!r} needs a time zone, e.g. +07:00")
    try:
        parsed.astimezone(timezone.utc)  # how it is stored
    except OverflowError:
        raise DefinitionError(f"{field}: {value!r} is out of range") from None
    return parsed


def dump_definition(survey):
    """The survey as a definition (docs/contract.md#survey-definition-json): load(dump(s)) == s."""
    definition = {
        "code": survey.code,
        "audience": survey.audience,
        "topic": survey.topic,
        "year": survey.year,
        "status": survey.status,
        "title": survey.title,
    }
    if survey.description:
        definition["description"] = survey.description
    if survey.opens_at:
        definition["opens_at"] = survey.opens_at.isoformat()
    if survey.closes_at:
        definition["closes_at"] = survey.closes_at.isoformat()
    definition["languages"] = survey.languages
    definition["organizations"] = [org.code for org in survey.organizations]
    definition["questions"] = [_dump_question(q) for q in survey.questions]
    return definition


def _dump_question(question):
    dumped = {"code": question.code, "kind": question.kind, "text": question.text}
    optional = {
        "help": question.help or None,
        "required": question.required or None,
        "criterion": question.criterion,
        "organization": question.organization.code if question.organization else None,
        "show_if": question.show_if,
        "feedback": question.feedback or None,
        "min_value": question.min_value,
        "max_value": question.max_value,
        "max_length": question.max_length,
    }
    dumped.update({key: value for key, value in optional.items() if value is not None})
    if question.options:
        dumped["options"] = [_dump_option(o) for o in question.options]
    return dumped


def _dump_option(option):
    dumped = {"code": option.code, "label": option.label}
    if option.value is not None:
        dumped["value"] = int(option.value) if float(option.value).is_integer() else option.value
    return dumped
