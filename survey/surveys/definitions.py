"""Survey definitions (DESIGN.md "Survey definition (JSON)"): check, load into models, dump.

Also instantiates the ready question sets of survey/question_sets/ for an organization and year.
"""

import copy
import json
import re
from datetime import datetime, timezone
from importlib import resources

import sqlalchemy as sa

from survey.core.extensions import db
from survey.core.text_safety import strip_control_texts
from survey.models import (
    AUDIENCES,
    QUESTION_KINDS,
    SURVEY_STATUSES,
    TOPICS,
    Option,
    Organization,
    Question,
    Survey,
)
from survey.responses.answer_rules import FIXED_RANGES, LONGEST_TEXT_LIMIT

CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
CHOICE_KINDS = ("single", "multi")
QUESTION_SETS = ("satisfaction", "participation", "supervision")
# A definition is nested 7 deep (survey > questions > question > options > option > label >
# text); one much deeper is refused before a check shows (repr) any part of it.
MAX_DEPTH = 12
# Bounds and option values: no question needs larger numbers (nor can the database hold them).
LARGEST_NUMBER = 1e15


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
    _check_texts("title", definition["title"], languages)
    if "description" in definition:
        _check_texts("description", definition["description"], languages, required=False)
    organizations = definition.get("organizations", [])
    if not isinstance(organizations, list) or not all(map(_is_code, organizations)):
        raise DefinitionError(f"organizations: {organizations!r} must be a list of codes")
    opens_at = _timestamp("opens_at", definition.get("opens_at"))
    closes_at = _timestamp("closes_at", definition.get("closes_at"))
    if opens_at and closes_at and opens_at >= closes_at:
        raise DefinitionError("closes_at: must come after opens_at")
    questions = definition["questions"]
    if not isinstance(questions, list) or not questions:
        raise DefinitionError("questions: expected a non-empty list")
    seen = {}
    for index, question in enumerate(questions):
        _check_question(f"questions[{index}]", question, languages, seen)
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
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise DefinitionError(f"{field}: expected an object of texts per language")
    unknown = set(texts) - set(languages)
    if unknown:
        raise DefinitionError(f"{field}: language {sorted(unknown)[0]!r} is not in languages")
    if required and not texts.get("vi", "").strip():
        raise DefinitionError(f"{field}.vi: the Vietnamese text is missing")


def _check_question(where, question, languages, seen):
    if not isinstance(question, dict):
        raise DefinitionError(f"{where}: expected an object")
    code = question.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code) or len(code) > 32:
        raise DefinitionError(
            f"{where}.code: {code!r} must be 1-32 lowercase letters, digits, - or _"
        )
    if code in seen:
        raise DefinitionError(f"{where}.code: {code!r} is used twice")
    kind = question.get("kind")
    _check_choice(f"{where}.kind", kind, QUESTION_KINDS)
    _check_texts(f"{where}.text", question.get("text"), languages)
    if "help" in question:
        _check_texts(f"{where}.help", question["help"], languages, required=False)
    criterion = question.get("criterion")
    if criterion is not None and (not _is_code(criterion) or len(criterion) > 32):
        raise DefinitionError(
            f"{where}.criterion: {criterion!r} must be 1-32 lowercase letters, digits, - or _"
        )
    organization = question.get("organization")
    if organization is not None and not _is_code(organization):
        raise DefinitionError(f"{where}.organization: {organization!r} must be a code")
    options = question.get("options") or []  # null stands for none
    if kind in CHOICE_KINDS:
        if not isinstance(options, list) or len(options) < 2:
            raise DefinitionError(f"{where}.options: a {kind} question needs at least two options")
        option_codes = set()
        for o_index, option in enumerate(options):
            o_where = f"{where}.options[{o_index}]"
            o_code = option.get("code") if isinstance(option, dict) else None
            if not isinstance(o_code, str) or not CODE_PATTERN.match(o_code) or len(o_code) > 32:
                raise DefinitionError(f"{o_where}.code: {o_code!r} is not a valid option code")
            if o_code in option_codes:
                raise DefinitionError(f"{o_where}.code: {o_code!r} is used twice")
            option_codes.add(o_code)
            _check_texts(f"{o_where}.label", option.get("label"), languages)
            value = option.get("value")
            if value is not None and not _plain_number(value):
                raise DefinitionError(
                    f"{o_where}.value: {value!r} must be a number of at most {LARGEST_NUMBER:g}"
                )
    elif options:
        raise DefinitionError(f"{where}.options: a {kind} question has no options")
    for bound in ("min_value", "max_value"):
        value = question.get(bound)
        if value is not None and (kind != "number" or not _plain_number(value)):
            raise DefinitionError(
                f"{where}.{bound}: only a number question has numeric bounds, "
                f"of at most {LARGEST_NUMBER:g}"
            )
    low, high = question.get("min_value"), question.get("max_value")
    if low is not None and high is not None and low > high:
        raise DefinitionError(f"{where}.max_value: must not be below min_value")
    max_length = question.get("max_length")
    if max_length is not None and (
        kind != "text"
        or not isinstance(max_length, int)
        or isinstance(max_length, bool)
        or not 1 <= max_length <= LONGEST_TEXT_LIMIT
    ):
        raise DefinitionError(
            f"{where}.max_length: only a text question has a max_length, "
            f"from 1 to {LONGEST_TEXT_LIMIT}"
        )
    show_if = question.get("show_if")
    if show_if is not None:
        _check_show_if(where, show_if, seen)
    seen[code] = question


def _check_show_if(where, show_if, seen):
    if (
        not isinstance(show_if, dict)
        or set(show_if) != {"question", "in"}
        or not isinstance(show_if["question"], str)
    ):
        raise DefinitionError(f'{where}.show_if: expected {{"question": CODE, "in": [...]}}')
    target = seen.get(show_if["question"])
    if target is None:
        raise DefinitionError(
            f"{where}.show_if.question: {show_if['question']!r} is not an earlier question"
        )
    values = show_if["in"]
    if not isinstance(values, list) or not values:
        raise DefinitionError(f"{where}.show_if.in: expected a non-empty list")
    if target["kind"] in CHOICE_KINDS:
        allowed = {o["code"] for o in target["options"]}
        bad = [v for v in values if not isinstance(v, str) or v not in allowed]
    elif target["kind"] in FIXED_RANGES:
        low, high = FIXED_RANGES[target["kind"]]
        bad = [
            v
            for v in values
            if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high
        ]
    else:
        raise DefinitionError(
            f"{where}.show_if.question: cannot depend on a {target['kind']} question"
        )
    if bad:
        raise DefinitionError(
            f"{where}.show_if.in: {bad[0]!r} is not an answer of {show_if['question']!r}"
        )


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
    if db.session.scalar(sa.select(Survey.id).where(Survey.code == definition["code"])):
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


def _is_code(value):
    return isinstance(value, str) and CODE_PATTERN.match(value) is not None


def _plain_number(value):
    """Whether `value` is a finite number (not a boolean) of at most LARGEST_NUMBER."""
    # NaN and the infinities fail the comparison too.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) <= LARGEST_NUMBER
    )


def dump_definition(survey):
    """The survey as a definition (the DESIGN.md JSON), so that load(dump(s)) == s."""
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
