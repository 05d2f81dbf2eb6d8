"""Survey definitions (survey.surveys.definitions): every question rule, in the CLI's words.

`flask survey load` and the builder share the question rules (survey.surveys.question_rules);
these are the messages the command line prints, each naming the JSON path of what is wrong.
"""

import copy

import pytest

from survey.responses.answer_rules import LONGEST_TEXT_LIMIT
from survey.surveys.definitions import ENGLISH, DefinitionError, check_definition
from survey.surveys.question_rules import Rule

DEFINITION = {
    "code": "ks-rules",
    "audience": "public",
    "topic": "satisfaction",
    "year": 2025,
    "title": {"vi": "Khảo sát"},
    "languages": ["vi", "en"],
    "questions": [
        {"code": "hl", "kind": "likert5", "text": {"vi": "Hài lòng?"}},
        {
            "code": "kenh",
            "kind": "single",
            "text": {"vi": "Kênh?"},
            "options": [
                {"code": "a", "label": {"vi": "A"}, "value": 1},
                {"code": "b", "label": {"vi": "B"}},
            ],
        },
        {"code": "so", "kind": "number", "min_value": 0, "max_value": 10, "text": {"vi": "Số?"}},
        {
            "code": "vi_sao",
            "kind": "text",
            "feedback": True,
            "max_length": 200,
            "show_if": {"question": "hl", "in": [1, 2]},
            "text": {"vi": "Vì sao?"},
        },
    ],
}
KINDS = "likert5, single, multi, yesno, number, nps, text"
BOUNDS = "only a number question has numeric bounds, of at most 1e+15"
MAX_LENGTH = f"only a text question has a max_length, from 1 to {LONGEST_TEXT_LIMIT}"
SHOW_IF_SHAPE = 'expected {"question": CODE, "in": [...]}'


def changed(index, **fields):
    """The definition with question `index` changed: a field set to None is left out."""
    definition = copy.deepcopy(DEFINITION)
    question = definition["questions"][index]
    for key, value in fields.items():
        if value is None:
            question.pop(key, None)
        else:
            question[key] = value
    return definition


def with_question(index, value):
    definition = copy.deepcopy(DEFINITION)
    definition["questions"][index] = value
    return definition


def with_option(index, **fields):
    definition = copy.deepcopy(DEFINITION)
    definition["questions"][1]["options"][index] |= fields
    return definition


CASES = [
    (with_question(1, "kenh"), "questions[1]: expected an object"),
    (
        changed(1, code="Kenh"),
        "questions[1].code: 'Kenh' must be 1-32 lowercase letters, digits, - or _",
    ),
    (
        changed(1, code="k" * 33),
        f"questions[1].code: '{'k' * 33}' must be 1-32 lowercase letters, digits, - or _",
    ),
    (changed(1, code=7), "questions[1].code: 7 must be 1-32 lowercase letters, digits, - or _"),
    (changed(1, code="hl"), "questions[1].code: 'hl' is used twice"),
    (changed(0, kind="scale"), f"questions[0].kind: 'scale' is not one of {KINDS}"),
    (changed(0, text=None), "questions[0].text: expected an object of texts per language"),
    (changed(0, text={"vi": 1}), "questions[0].text: expected an object of texts per language"),
    (
        changed(0, text={"vi": "Có", "fr": "Oui"}),
        "questions[0].text: language 'fr' is not in languages",
    ),
    (
        changed(0, text={"vi": " ", "en": "Yes"}),
        "questions[0].text.vi: the Vietnamese text is missing",
    ),
    (changed(0, help=["x"]), "questions[0].help: expected an object of texts per language"),
    (
        changed(0, criterion="Hài lòng"),
        "questions[0].criterion: 'Hài lòng' must be 1-32 lowercase letters, digits, - or _",
    ),
    (
        changed(0, criterion="c" * 33),
        f"questions[0].criterion: '{'c' * 33}' must be 1-32 lowercase letters, digits, - or _",
    ),
    (changed(0, organization="Nông dân"), "questions[0].organization: 'Nông dân' must be a code"),
    (
        changed(1, options=None),
        "questions[1].options: a single question needs at least two options",
    ),
    (
        changed(1, options={"a": 1}),
        "questions[1].options: a single question needs at least two options",
    ),
    (
        changed(1, kind="multi", options=[{"code": "a", "label": {"vi": "A"}}]),
        "questions[1].options: a multi question needs at least two options",
    ),
    (with_option(0, code="A"), "questions[1].options[0].code: 'A' is not a valid option code"),
    (
        with_option(0, code="o" * 33),
        f"questions[1].options[0].code: '{'o' * 33}' is not a valid option code",
    ),
    (
        changed(1, options=["a", "b"]),
        "questions[1].options[0].code: None is not a valid option code",
    ),
    (with_option(1, code="a"), "questions[1].options[1].code: 'a' is used twice"),
    (
        with_option(1, label={"en": "B"}),
        "questions[1].options[1].label.vi: the Vietnamese text is missing",
    ),
    (
        with_option(1, label="B"),
        "questions[1].options[1].label: expected an object of texts per language",
    ),
    (
        with_option(0, value=1e16),
        "questions[1].options[0].value: 1e+16 must be a number of at most 1e+15",
    ),
    (
        with_option(0, value=True),
        "questions[1].options[0].value: True must be a number of at most 1e+15",
    ),
    (
        with_option(0, value="1"),
        "questions[1].options[0].value: '1' must be a number of at most 1e+15",
    ),
    (
        changed(0, options=[{"code": "a", "label": {"vi": "A"}}]),
        "questions[0].options: a likert5 question has no options",
    ),
    (changed(0, min_value=1), f"questions[0].min_value: {BOUNDS}"),
    (changed(0, max_value=5), f"questions[0].max_value: {BOUNDS}"),
    (changed(2, min_value=-1e16), f"questions[2].min_value: {BOUNDS}"),
    (changed(2, max_value="10"), f"questions[2].max_value: {BOUNDS}"),
    (changed(2, min_value=5, max_value=1), "questions[2].max_value: must not be below min_value"),
    (changed(0, max_length=10), f"questions[0].max_length: {MAX_LENGTH}"),
    (changed(3, max_length=0), f"questions[3].max_length: {MAX_LENGTH}"),
    (changed(3, max_length=LONGEST_TEXT_LIMIT + 1), f"questions[3].max_length: {MAX_LENGTH}"),
    (changed(3, max_length=2.5), f"questions[3].max_length: {MAX_LENGTH}"),
    (changed(3, max_length=True), f"questions[3].max_length: {MAX_LENGTH}"),
    (changed(3, show_if="hl"), f"questions[3].show_if: {SHOW_IF_SHAPE}"),
    (changed(3, show_if={"question": "hl"}), f"questions[3].show_if: {SHOW_IF_SHAPE}"),
    (changed(3, show_if={"question": 1, "in": [1]}), f"questions[3].show_if: {SHOW_IF_SHAPE}"),
    (
        changed(3, show_if={"question": "vi_sao", "in": [1]}),
        "questions[3].show_if.question: 'vi_sao' is not an earlier question",
    ),
    (
        changed(3, show_if={"question": "hl", "in": []}),
        "questions[3].show_if.in: expected a non-empty list",
    ),
    (
        changed(3, show_if={"question": "hl", "in": "1"}),
        "questions[3].show_if.in: expected a non-empty list",
    ),
    (
        changed(3, show_if={"question": "so", "in": [1]}),
        "questions[3].show_if.question: cannot depend on a number question",
    ),
    (
        changed(3, show_if={"question": "hl", "in": [1, 6]}),
        "questions[3].show_if.in: 6 is not an answer of 'hl'",
    ),
    (
        changed(3, show_if={"question": "hl", "in": [True]}),
        "questions[3].show_if.in: True is not an answer of 'hl'",
    ),
    (
        changed(3, show_if={"question": "hl", "in": [2.0]}),
        "questions[3].show_if.in: 2.0 is not an answer of 'hl'",
    ),
    (
        changed(3, show_if={"question": "kenh", "in": ["a", "c"]}),
        "questions[3].show_if.in: 'c' is not an answer of 'kenh'",
    ),
    (
        changed(3, show_if={"question": "kenh", "in": [1]}),
        "questions[3].show_if.in: 1 is not an answer of 'kenh'",
    ),
]


def test_every_question_rule_has_its_command_line_words():
    assert set(ENGLISH) == set(Rule)


def test_only_a_text_question_collects_feedback():
    """The builder always refused it; a loaded definition took it and then the builder refused
    every later change to that survey (its safety net checks the whole definition)."""
    with pytest.raises(DefinitionError) as refused:
        check_definition(changed(0, feedback=True))
    assert str(refused.value) == (
        "questions[0].feedback: only a text question collects feedback, not a likert5 question"
    )
    assert check_definition(changed(0, feedback=False))["code"] == "ks-rules"


def test_the_definition_used_below_is_valid():
    assert check_definition(copy.deepcopy(DEFINITION))["code"] == "ks-rules"


@pytest.mark.parametrize(("definition", "message"), CASES)
def test_each_broken_question_rule_is_named_with_its_json_path(definition, message):
    with pytest.raises(DefinitionError) as refused:
        check_definition(definition)
    assert str(refused.value) == message
