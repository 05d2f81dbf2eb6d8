"""The year-end report as text: the blocks the DOCX and HTML writers lay out, and how the
report writes a number, a share, an interval and a date.

survey.reports.year_report fills these blocks with the report's sentences; survey.reports.docx
and survey.reports.html lay them out and need nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_decimal

from survey.core.local_time import COMMUNE_TIME

DASH = "–"


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for the report's parts, 2 for an organization, 3 inside it."""

    text: str
    level: int = 1
    kind: str = field(default="heading", init=False)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; `emphasis` is "", "italic" or "bold"."""

    text: str
    emphasis: str = ""
    kind: str = field(default="paragraph", init=False)


@dataclass(frozen=True)
class Bullets:
    """A list of short points."""

    items: tuple[str, ...]
    kind: str = field(default="bullets", init=False)


@dataclass(frozen=True)
class Table:
    """A table of text cells; `numeric` columns are aligned right; `widths` are relative."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()
    kind: str = field(default="table", init=False)


@dataclass(frozen=True)
class YearReport:
    """The report as text: the header block, the title, the body and the closing."""

    year: int
    lang: str
    issuer: tuple[str, ...]  # left of the header: the superior body, the committee
    document_number: str
    party: str  # right of the header: ĐẢNG CỘNG SẢN VIỆT NAM
    place_date: str
    title: str
    subtitle: str
    body: tuple[Heading | Paragraph | Bullets | Table, ...]
    recipients: tuple[str, ...]
    signature: tuple[str, ...]


def as_number(value, digits=1) -> str:
    """`value` in the locale's digits with at most `digits` decimals; a dash for None."""
    if value is None:
        return DASH
    return format_decimal(value, "#,##0." + "#" * digits if digits else "#,##0")


def as_percent(value) -> str:
    """A share (0.876) as a percentage ("87,6%"); a dash for None."""
    return DASH if value is None else as_number(100 * value) + "%"


def as_interval(ci) -> str:
    """An interval of shares as "80,1–92,3%"; a dash when there is none."""
    if not ci:
        return DASH
    return f"{as_number(100 * ci[0])}{DASH}{as_number(100 * ci[1])}%"


def as_date(iso: str) -> str:
    """An ISO timestamp as the commune's day, dd/mm/yyyy."""
    when = datetime.fromisoformat(iso).astimezone(COMMUNE_TIME)
    return when.strftime("%d/%m/%Y")
