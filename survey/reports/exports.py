"""The files the commands and the download routes hand out: what each format holds, its
content type and its file name.

The year-end report (DOCX, HTML) and the year's workbook (XLSX) are Vietnamese administrative
documents: they are written in Vietnamese whatever the reader's interface language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from survey.reports.docx import report_docx
from survey.reports.html import report_html
from survey.reports.resolution_data import resolution_records
from survey.reports.resolution_report import resolution_report
from survey.reports.statistical import LABELLED_TYPES, file_chunks, labelled_chunks, labelled_file
from survey.reports.workbooks import survey_workbook, year_workbook
from survey.reports.year_data import gather_year, survey_data
from survey.reports.year_report import year_report
from survey.responses import catalog
from survey.responses.export import response_csv

DOCUMENT_LANG = "vi"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Mimetypes; the response adds "; charset=utf-8" to the text ones.
REPORT_TYPES = {"docx": DOCX, "xlsx": XLSX, "html": "text/html"}
EXPORT_TYPES = {"csv": "text/csv", "xlsx": XLSX, **LABELLED_TYPES}
# The reports of a year: the year-end rating report (with its workbook), and the report on
# carrying out the resolution (Nghị quyết, IV.2).
REPORT_KINDS = ("rating", "resolution")


def report_file(year: int, fmt: str, kind: str = "rating") -> bytes:
    """The year-end report as DOCX or HTML, or the year's workbook as XLSX; with `kind`
    "resolution", the report on carrying out the resolution as DOCX or HTML.

    Raises survey.reports.year_data.NothingToReport for a year without figures, and analytics'
    AnalyticsError when the commune's rule set cannot be read.
    """
    if fmt not in REPORT_TYPES:
        raise ValueError(f"format must be one of {', '.join(REPORT_TYPES)}, got {fmt!r}")
    if kind not in REPORT_KINDS or (kind == "resolution" and fmt == "xlsx"):
        raise ValueError(f"no {fmt} file for the {kind!r} report")
    data = gather_year(year, DOCUMENT_LANG)
    if fmt == "xlsx":
        return year_workbook(data)
    if kind == "resolution":
        report = resolution_report(data, resolution_records(year, data.today))
    else:
        report = year_report(data)
    if fmt == "docx":
        return report_docx(report)
    return report_html(report).encode("utf-8")


def report_filename(year: int, fmt: str, kind: str = "rating") -> str:
    """The file name a year's report or workbook is saved under."""
    stem = "bang-tinh-danh-gia" if fmt == "xlsx" else "bao-cao-danh-gia"
    if kind == "resolution":
        stem = "bao-cao-thuc-hien-nghi-quyet"
    return f"{stem}-{year}.{fmt}"


def survey_csv(survey, withheld: Sequence = ()) -> Iterator[bytes]:
    """A survey's anonymized responses as CSV, in chunks read page by page, without the
    columns of the `withheld` questions (survey.accounts.access.withheld_text_questions)."""
    left_out = frozenset(q.code for q in withheld)
    return (chunk.encode("utf-8") for chunk in response_csv(survey, left_out))


def survey_xlsx(survey, withheld: Sequence = ()) -> bytes:
    """A survey's anonymized responses as a workbook, with its question results; the
    `withheld` questions have no column, and a sheet of notes says so."""
    data = survey_data(survey, DOCUMENT_LANG)
    left_out = [
        (q.code, q.text.get(DOCUMENT_LANG) or next(iter(q.text.values()), "")) for q in withheld
    ]
    return survey_workbook(survey, data, catalog.village_names(), DOCUMENT_LANG, left_out)


def survey_labelled(survey, fmt: str, lang: str = "vi", withheld: Sequence = ()):
    """A survey's anonymized responses as an SPSS (`sav`) or Stata (`dta`) file with labels in
    `lang`, without the `withheld` questions: chunks of bytes of a file already written (to a
    temporary file, gone once read or closed)."""
    return file_chunks(labelled_file(survey, fmt, lang, [q.code for q in withheld]))


def survey_export(survey, fmt: str, lang: str = "vi") -> Iterator[bytes]:
    """A survey's anonymized responses, every column, as CSV, XLSX, SPSS or Stata, as chunks
    of bytes; the labels of SPSS and Stata files in `lang`."""
    if fmt == "csv":
        return survey_csv(survey)
    if fmt == "xlsx":
        return iter([survey_xlsx(survey)])
    if fmt in LABELLED_TYPES:
        return labelled_chunks(survey, fmt, lang)
    raise ValueError(f"format must be one of {', '.join(EXPORT_TYPES)}, got {fmt!r}")


def in_app_context(app, make_chunks: Callable[[], Iterable[bytes]]) -> Iterator[bytes]:
    """Iterate `make_chunks()`, each step inside an application context of its own.

    A streamed response's body is read after the request's context has gone. Each chunk is
    made in a fresh context (its own database session), popped before the chunk is handed
    on: no context stays pushed while the body waits to be read, or is never read.
    """
    chunks = None
    while True:
        with app.app_context():
            if chunks is None:
                chunks = iter(make_chunks())
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def export_filename(survey, fmt: str) -> str:
    """The file name a survey's export is saved under."""
    return f"{survey.code}-phieu-tra-loi.{fmt}"
