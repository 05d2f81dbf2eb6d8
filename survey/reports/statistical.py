"""A survey's anonymized responses as labelled statistical files: SPSS (.sav) and Stata (.dta),
written with pyreadstat (docs/contract.md#spss-and-stata-files).

The rows are those of the Response CSV (survey.responses.export.response_rows): the same
responses, in the same order, with the same columns left out and the same villages hidden.
What the files add is labels: each variable is named after its question's code (made legal
for SPSS and Stata by `variable_name`), labelled with the question's text, and choices carry
value labels, in the language asked (the question's Vietnamese text where it has none in it).

- likert5: 1 to 5 labelled with the faces' words; nps, number: numbers; yesno: 1/0 labelled
  yes/no; single: the options numbered 1,
  2, ... in the survey's order, labelled with their text; multi: one 0/1 variable per option,
  named `<question>_<option>`, labelled "question — option"; text: a string variable.
- `unit`: the villages numbered 1, 2, ... in the commune's order, labelled with their names
  (only the villages the results show); missing where the results hide the village.
- Missing (not answered, or not asked because of `show_if`; the CSV does not tell them apart
  either): system-missing in SPSS, `.` in Stata; an empty string for text.

pandas holds the rows in memory (100,000 responses of 50 questions are some 40 MB); pyreadstat
writes the file to a temporary directory, read back from there in chunks.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyreadstat
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.commune.settings import setting
from survey.reports.year_data import question_infos
from survey.responses import catalog
from survey.responses.export import response_rows
from survey.responses.importing import FIXED_COLUMNS
from survey.responses.suppression import hidden_village_codes
from survey.responses.survey_form import LIKERT_WORDS

LABELLED_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}
CHUNK = 2**16
# Names both formats take: an ASCII letter, then letters, digits and underscores, at most 32
# characters (Stata's limit; SPSS takes 64), none of either's reserved words, unique ignoring
# case (SPSS ignores it).
NAME_LENGTH = 32
# pyreadstat names a variable's value labels after it, adding a number: a variable with value
# labels keeps room for four digits within Stata's 32 characters.
LABELLED_NAME_LENGTH = 28
RESERVED = frozenset(
    ("all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with")
    + ("_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long")
    + ("_n", "_pi", "_pred", "_rc", "_skip", "strl", "using")
)
STATA_STRING_TYPE = re.compile(r"str[0-9]+")
# The longest labels each format holds (SPSS counts bytes of UTF-8, Stata characters).
SAV_LIMITS = {"file": 64, "variable": 256, "value": 120}
DTA_LIMITS = {"file": 80, "variable": 80, "value": 32000}
# SPSS measurement levels by kind (others nominal).
MEASURES = {"likert5": "ordinal", "nps": "ordinal", "number": "scale", "day": "scale"}
INTERFACE_LANGS = ("vi", "en")


def variable_name(code: str, taken: set[str], length: int = NAME_LENGTH) -> str:
    """A name SPSS and Stata both take, as close to `code` as can be, not in `taken` (names
    lowercased), which it joins. The same codes in the same order give the same names.

    >>> taken = {"unit"}
    >>> [variable_name(c, taken) for c in ("hl", "1a", "a-b", "a_b", "Unit", "to", "đường")]
    ['hl', 'q1a', 'a_b', 'a_b_2', 'Unit_2', 'to_2', 'duong']
    >>> len(variable_name("x" * 40, taken))
    32
    """
    bare = unicodedata.normalize("NFKD", code.replace("đ", "d").replace("Đ", "D"))
    name = re.sub(r"[^A-Za-z0-9_]", "_", bare.encode("ascii", "ignore").decode("ascii"))
    if not name[:1].isalpha():
        name = "q" + name
    name = base = name[:length]
    n = 1
    while _unusable(name, taken):
        n += 1
        suffix = f"_{n}"
        name = base[: length - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _unusable(name: str, taken: set[str]) -> bool:
    lower = name.lower()
    return lower in taken or lower in RESERVED or STATA_STRING_TYPE.fullmatch(lower) is not None


def fitted(text: str, limit: int, in_bytes: bool) -> str:
    """`text` cut to `limit` characters (or bytes of UTF-8), ending in "…" when cut.

    >>> fitted("Hội Nông dân", 8, True), fitted("Hội Nông dân", 20, True)
    ('Hội…', 'Hội Nông dân')
    """

    def size(s):
        return len(s.encode("utf-8")) if in_bytes else len(s)

    if size(text) <= limit:
        return text
    while text and size(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def note_lines(text: str, width: int = 80) -> list[str]:
    """`text` in lines of at most `width` bytes of UTF-8, broken between words: an SPSS
    document is lines of 80 bytes.

    >>> note_lines("Khảo sát sự hài lòng của người dân", 20)
    ['Khảo sát sự', 'hài lòng của', 'người dân']
    """
    lines: list[str] = []
    for word in text.split():
        word = fitted(word, width, in_bytes=True)
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and len(joined.encode("utf-8")) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


@dataclass
class Variable:
    """One column of the file: where its values come from in a CSV row, and its labels."""

    name: str
    label: str
    source: int
    kind: str
    values: dict[str, float] = field(default_factory=dict)  # CSV code -> number
    value_labels: dict[float, str] = field(default_factory=dict)
    option: str | None = None  # of a multi question: the option this 0/1 variable is about
    short_label: str = ""  # of a multi question's variable: the option's text


def _fixed_variables(taken: set[str], shown) -> list[Variable]:
    """The CSV's fixed columns; `shown` the (code, name) of the villages the results show."""
    numbers = {unit.code: float(n) for n, unit in enumerate(catalog.units(), start=1)}
    unit = Variable(variable_name("unit", taken, LABELLED_NAME_LENGTH), _("Village"), 1, "unit")
    unit.values = {code: numbers[code] for code, _name in shown if code in numbers}
    unit.value_labels = {numbers[code]: name for code, name in shown if code in numbers}
    labels = (_("Row"), None, _("Day"), _("Channel"), _("Language"))
    kinds = ("string", None, "day", "string", "string")
    fixed = []
    for i, column in enumerate(FIXED_COLUMNS):
        if i == 1:
            fixed.append(unit)
        else:
            fixed.append(Variable(variable_name(column, taken), labels[i], i, kinds[i]))
    return fixed


def _question_variables(question, source: int, taken: set[str]) -> list[Variable]:
    short = LABELLED_NAME_LENGTH
    if question.kind == "multi":
        chosen = {0.0: _("Not chosen"), 1.0: _("Chosen")}
        return [
            Variable(
                _option_name(question.code, code, taken),
                question.text,
                source,
                "multi",
                value_labels=chosen,
                option=code,
                short_label=text,
            )
            for code, text in question.options.items()
        ]
    labelled = question.kind in ("single", "yesno", "likert5")
    name = variable_name(question.code, taken, short if labelled else NAME_LENGTH)
    variable = Variable(name, question.text, source, question.kind)
    if question.kind == "single":
        variable.values = {code: float(n) for n, code in enumerate(question.options, start=1)}
        variable.value_labels = {
            float(n): text for n, text in enumerate(question.options.values(), start=1)
        }
    elif question.kind == "yesno":
        variable.value_labels = {1.0: _("Yes"), 0.0: _("No")}
    elif question.kind == "likert5":  # the faces' words, as the form shows them
        variable.value_labels = {float(n): str(w) for n, w in enumerate(LIKERT_WORDS, start=1)}
    return [variable]


def _option_name(question_code: str, option_code: str, taken: set[str]) -> str:
    """The name of a multi question's variable for one option: `<question>_<option>`, the
    question's code shortened when long so that the option's code stays in the name."""
    room = max(8, LABELLED_NAME_LENGTH - 1 - len(option_code))
    return variable_name(f"{question_code[:room]}_{option_code}", taken, LABELLED_NAME_LENGTH)


def _value(variable: Variable, cell):
    """One cell of the file from one cell of response_rows(as_numbers=True)."""
    kind = variable.kind
    if kind in ("string", "text"):
        return "" if cell is None else str(cell)
    if kind == "day":
        return cell
    if cell is None or cell == "":
        return float("nan")
    if kind == "multi":
        return 1.0 if variable.option in str(cell).split("|") else 0.0
    if kind in ("single", "unit"):
        return variable.values.get(cell, float("nan"))
    return float(cell)


@dataclass
class Labelled:
    """What pyreadstat writes: the rows and every label."""

    frame: pd.DataFrame
    variables: list[Variable]
    title: str
    commune: str
    note: str


def labelled_data(survey, lang: str = "vi", left_out=frozenset()) -> Labelled:
    """The rows of the survey's CSV export (without the questions of `left_out`), as
    variables with their labels in `lang`."""
    chrome = lang if lang in INTERFACE_LANGS else "vi"
    with force_locale(chrome):
        rows = response_rows(survey, as_numbers=True, left_out=left_out)
        codes = next(rows)[len(FIXED_COLUMNS) :]
        questions = {q.code: q for q in question_infos(survey, lang, free_text=True)}
        hidden = hidden_village_codes(survey)
        villages = [(u.code, u.name) for u in catalog.units() if u.code not in hidden]
        taken: set[str] = set()
        variables = _fixed_variables(taken, villages)
        for n, code in enumerate(codes, start=len(FIXED_COLUMNS)):
            variables += _question_variables(questions[code], n, taken)
        columns: list[list] = [[] for _v in variables]
        for row in rows:
            for column, variable in zip(columns, variables, strict=True):
                column.append(_value(variable, row[variable.source]))
        commune = setting("COMMUNE_NAME") or ""
        note = _(
            "%(title)s (%(code)s), %(commune)s: anonymized responses.",
            title=survey.text("title", lang),
            code=survey.code,
            commune=commune,
        )
    frame = pd.DataFrame(
        {v.name: _series(v, column) for v, column in zip(variables, columns, strict=True)}
    )
    return Labelled(frame, variables, survey.text("title", lang), commune, note)


def _series(variable: Variable, column: list) -> pd.Series:
    if variable.kind in ("string", "text"):
        return pd.Series(column, dtype="object")
    if variable.kind == "day" and column:
        return pd.Series(column, dtype="object")  # dates: pyreadstat writes them as dates
    return pd.Series(column, dtype="float64")


def write_labelled(data: Labelled, fmt: str, path: str) -> None:
    """Write `data` as SPSS (`sav`) or Stata (`dta`) to `path`."""
    sav = fmt == "sav"
    limits = SAV_LIMITS if sav else DTA_LIMITS

    def fit(text, kind):
        return fitted(text, limits[kind], in_bytes=sav)

    labels = {}
    for v in data.variables:
        if v.kind == "multi":
            # The option's text keeps at most half the room, the question's text the rest.
            option = fitted(v.short_label, limits["variable"] // 2, sav)
            room = limits["variable"] - (len((" — " + option).encode()) if sav else len(option) + 3)
            labels[v.name] = f"{fitted(v.label, max(room, 1), sav)} — {option}"
        else:
            labels[v.name] = fit(v.label, "variable")
    value_labels = {
        v.name: {value: fit(text, "value") for value, text in v.value_labels.items()}
        for v in data.variables
        if v.value_labels
    }
    formats = {}
    day = next(v.name for v in data.variables if v.kind == "day")
    if data.frame.empty:  # no dates to tell pyreadstat the column holds dates
        formats[day] = "DATE11" if sav else "%td"
    common = {
        "column_labels": labels,
        "variable_value_labels": value_labels,
        "variable_format": formats,
    }
    if sav:
        measures = {v.name: MEASURES.get(v.kind, "nominal") for v in data.variables}
        pyreadstat.write_sav(
            data.frame,
            path,
            file_label=fit(data.title, "file"),
            note=note_lines(data.note),
            variable_measure=measures,
            **common,
        )
    else:
        # Stata keeps no notes: the file label names the commune after the title if it fits.
        label = f"{data.title} — {data.commune}"
        if not data.commune or len(label) > limits["file"]:
            label = data.title
        pyreadstat.write_dta(data.frame, path, file_label=fit(label, "file"), **common)


def labelled_file(survey, fmt: str, lang: str = "vi", left_out: Sequence = ()):
    """The survey's anonymized responses as an SPSS or Stata file, open for reading (binary),
    already unlinked: it is gone once closed."""
    if fmt not in LABELLED_TYPES:
        raise ValueError(f"format must be one of {', '.join(LABELLED_TYPES)}, got {fmt!r}")
    data = labelled_data(survey, lang, frozenset(left_out))
    with tempfile.TemporaryDirectory(prefix="survey-export-") as folder:
        path = os.path.join(folder, f"export.{fmt}")
        write_labelled(data, fmt, path)
        return open(path, "rb")  # noqa: SIM115 - the caller closes it (file_chunks)


def file_chunks(f) -> Iterator[bytes]:
    """The chunks of an open binary file, which is closed once read to the end (or once the
    generator is closed)."""
    with f:
        while chunk := f.read(CHUNK):
            yield chunk


def labelled_chunks(survey, fmt: str, lang: str = "vi", left_out: Sequence = ()) -> Iterator[bytes]:
    """The same file as chunks of bytes, for the command line."""
    yield from file_chunks(labelled_file(survey, fmt, lang, left_out))
