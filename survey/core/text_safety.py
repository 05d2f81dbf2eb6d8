"""What text may hold, and how text is written into spreadsheets so it stays text.

Control characters: nobody types them, no page shows them, and the XML inside XLSX and DOCX
files cannot hold them (openpyxl and python-docx refuse to write the file). `strip_control`
removes them from everything typed in (the public form, every officer form, the command-line
loaders), and the XLSX and DOCX writers remove them again from what was stored before.

Formulas: a spreadsheet reads a CSV cell or an inferred XLSX cell that starts with "=" (and, in
CSV, "+", "-", "@", a tab or a carriage return) as a formula, which can send the sheet's data
to another site. In XLSX every text is written as a text cell (survey.reports.workbooks); in
CSV such a cell gets a leading apostrophe (`csv_cell`), which `csv_value` takes off again on
import, so that export -> import gives back exactly what was answered.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

# C0 controls but tab, line feed and carriage return; DEL; the C1 controls; the code points
# XML 1.0 excludes (lone surrogates, U+FFFE, U+FFFF).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
# A number as the exports write one: a spreadsheet reads "-3" as minus three, not a formula.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def strip_control(value):
    """`value` without control characters when it is text; anything else as it is.

    >>> strip_control("Đường\\x07 hỏng\\x85\\tgấp\\n")
    'Đường hỏng\\tgấp\\n'
    """
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", value)


def without_control(value):
    """`value` (a frozen dataclass such as the year report, a tuple, a text) with every text
    in it stripped of control characters; anything else as it is."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, tuple):
        return tuple(without_control(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **{k: without_control(v) for k, v in fields.items()})
    return value


def strip_control_texts(texts):
    """A {language: text} mapping with each text stripped of control characters."""
    if not isinstance(texts, dict):
        return texts
    return {lang: strip_control(text) for lang, text in texts.items()}


def _read_as_formula(text: str) -> bool:
    """Whether a spreadsheet would read `text`, once its leading apostrophes are off, as a
    formula."""
    bare = text.lstrip("'")
    return bare[:1] in FORMULA_STARTERS and PLAIN_NUMBER.fullmatch(bare) is None


def csv_cell(value):
    """A CSV cell that a spreadsheet reads as the text it is: with a leading apostrophe when
    it starts with a formula's first character (apostrophes already there count too, so that
    `csv_value` knows which one to take off); numbers and other values as they are.

    >>> csv_cell('=HYPERLINK("x")'), csv_cell("-3"), csv_cell("'=1"), csv_cell("'a")
    ('\\'=HYPERLINK("x")', '-3', "''=1", "'a")
    """
    if isinstance(value, str) and _read_as_formula(value):
        return "'" + value
    return value


def csv_value(cell: str) -> str:
    """The text `csv_cell` was given: the apostrophe it added taken off.

    >>> [csv_value(c) for c in ("'=1", "''=1", "'a", "-3", "'-3")]
    ['=1', "'=1", "'a", '-3', "'-3"]
    """
    if cell.startswith("'") and _read_as_formula(cell[1:]):
        return cell[1:]
    return cell


def csv_rows(rows: Iterable[Iterable]) -> Iterable[list]:
    """Each row with every cell made safe by `csv_cell`."""
    return ([csv_cell(value) for value in row] for row in rows)
