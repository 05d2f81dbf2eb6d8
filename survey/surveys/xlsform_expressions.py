"""The XLSForm expressions the platform can hold, read and written (docs/contract.md#xlsform).

A `relevant` becomes a show_if ({"question": CODE, "in": [answers]}) when it is `${q} = 'x'`,
`selected(${q}, 'x')`, or an `or` of those on one question. A `constraint` becomes a number
question's bounds (`. >= 0 and . <= 100`) or a text question's longest length
(`string-length(.) <= 500`). Anything else is refused with the reason (an `Unheld`).
"""

import re
from enum import StrEnum

_VALUE = r"""(?:'(?P<{n}s>[^']*)'|"(?P<{n}d>[^"]*)"|(?P<{n}n>-?\d+(?:\.\d+)?))"""
_EQUALS = re.compile(r"\$\{\s*(?P<q>[\w.-]+)\s*\}\s*=\s*" + _VALUE.format(n="v") + r"\Z")
_SELECTED = re.compile(
    r"selected\s*\(\s*\$\{\s*(?P<q>[\w.-]+)\s*\}\s*,\s*" + _VALUE.format(n="v") + r"\s*\)\Z"
)
_OR = re.compile(r"\s+or\s+")
_AND = re.compile(r"\s+and\s+")
_FUNCTION = re.compile(r"([A-Za-z][\w:-]*)\s*\(")
_BOUND = re.compile(r"\.\s*(?P<op><=|>=|<|>)\s*(?P<n>-?\d+(?:\.\d+)?)\Z")
_LENGTH = re.compile(r"string-length\s*\(\s*\.\s*\)\s*(?P<op><=|<)\s*(?P<n>\d+)\Z")


class Why(StrEnum):
    """Why an expression cannot be held."""

    AND = "and"  # `and` between conditions: show_if holds one
    QUESTIONS = "questions"  # conditions on different questions
    NOT_EQUAL = "not_equal"  # !=, <, > ...
    FUNCTION = "function"  # a function other than selected()
    SHAPE = "shape"  # anything else
    NOT_EARLIER = "not_earlier"  # no earlier question of that name
    NO_ANSWERS = "no_answers"  # a number or text question: no fixed answers
    NOT_AN_ANSWER = "not_an_answer"  # a value that is not one of the question's answers
    BOUNDS = "bounds"  # a constraint other than simple bounds or a longest length


class Unheld(ValueError):
    """An expression the platform cannot hold; `why` (a Why) and `values` say why."""

    def __init__(self, why, **values):
        super().__init__(why)
        self.why = why
        self.values = values


def _strip_brackets(text):
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text):
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _outside_quotes(text):
    """`text` with quoted strings blanked out, so that words inside them are not operators."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", lambda m: "'" + "_" * (len(m.group()) - 2) + "'", text)


def parse_relevant(expression):
    """(question name, [answers as written]) of a relevant the platform can hold.

    >>> parse_relevant("${a} = 'x' or selected(${a}, 'y')")
    ('a', ['x', 'y'])
    """
    text = _strip_brackets(expression)
    bare = _outside_quotes(text)
    if _AND.search(bare):
        raise Unheld(Why.AND)
    if "!=" in bare or re.search(r"[<>]", bare):
        raise Unheld(Why.NOT_EQUAL)
    names, values = [], []
    start = 0
    for match in [*_OR.finditer(bare), None]:
        end = match.start() if match else len(text)
        term = _strip_brackets(text[start:end])
        found = _EQUALS.match(term) or _SELECTED.match(term)
        if found is None:
            function = _FUNCTION.search(_outside_quotes(term))
            if function and function.group(1) != "selected":
                raise Unheld(Why.FUNCTION, function=function.group(1))
            raise Unheld(Why.SHAPE)
        names.append(found.group("q"))
        values.append(next(v for v in found.group("vs", "vd", "vn") if v is not None))
        start = match.end() if match else end
    if len(set(names)) > 1:
        raise Unheld(Why.QUESTIONS, questions=", ".join(dict.fromkeys(names)))
    return names[0], values


def parse_bounds(expression):
    """{"min_value": .., "max_value": ..} of a number constraint of simple bounds.

    `. > 0` (strictly) is held as the next whole number only for whole numbers: `integer`.

    >>> parse_bounds(". >= 0 and . <= 100")
    {'min_value': 0, 'max_value': 100}
    """
    bounds = {}
    for term in _AND.split(_strip_brackets(expression)):
        found = _BOUND.match(_strip_brackets(term))
        if found is None:
            raise Unheld(Why.BOUNDS)
        number = float(found.group("n"))
        number = int(number) if number.is_integer() else number
        op = found.group("op")
        key = "min_value" if op.startswith(">") else "max_value"
        if len(op) == 1:  # strictly: only whole numbers have a next one
            if not isinstance(number, int):
                raise Unheld(Why.BOUNDS)
            number += 1 if op == ">" else -1
        if key in bounds:
            raise Unheld(Why.BOUNDS)
        bounds[key] = number
    return bounds


def parse_length(expression):
    """The longest length of a text constraint `string-length(.) <= N`."""
    found = _LENGTH.match(_strip_brackets(expression))
    if found is None:
        raise Unheld(Why.BOUNDS)
    longest = int(found.group("n"))
    return longest - 1 if found.group("op") == "<" else longest


def relevant_of(name, kind, answers):
    """The relevant for a show_if on question `name` of `kind` with answers `answers` (the
    choice names, as written in the choices sheet)."""
    if kind == "multi":
        terms = [f"selected(${{{name}}}, '{answer}')" for answer in answers]
    else:
        terms = [f"${{{name}}} = '{answer}'" for answer in answers]
    return " or ".join(terms)


def constraint_of(question):
    """The constraint holding a question's bounds or longest length, or None."""
    if question.get("max_length") is not None:
        return f"string-length(.) <= {question['max_length']}"
    terms = []
    if question.get("min_value") is not None:
        terms.append(f". >= {question['min_value']}")
    if question.get("max_value") is not None:
        terms.append(f". <= {question['max_value']}")
    return " and ".join(terms) or None
