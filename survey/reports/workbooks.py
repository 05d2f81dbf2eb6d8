"""XLSX workbooks: the year's ratings and survey results, and one survey's responses.

Written with openpyxl in write-only mode (rows stream to disk, so a survey's 100,000 responses
are never all in memory), Vietnamese sheet names and headers, number formats (percent for
shares, 0.0 for scores), the header row frozen and printed on every page; every text is a text
cell (`text_cell`), never a formula. The numbers are
those of the Evaluation JSON and the Results JSON; a village the Results JSON suppresses shows
"—", never a number.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from survey.core.local_time import COMMUNE_TIME
from survey.core.text_safety import strip_control
from survey.models.vocabulary import KIND_NAMES
from survey.reports.year_data import SUPPRESSED, SurveyData, YearData, integrity_rows
from survey.responses.export import response_rows

PERCENT = "0.0%"
SCORE = "0.0"
MEAN = "0.00"
COUNT = "#,##0"
DAY = "dd/mm/yyyy"
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")


@dataclass(frozen=True)
class Column:
    """A column: its header, its width in characters and the number format of its cells."""

    header: str
    width: float
    number_format: str | None = None


class _Sheet:
    """A write-only sheet with a frozen, bold, wrapped header row and per-column formats."""

    def __init__(self, workbook, title, columns: Sequence[Column], freeze_columns=0):
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        for i, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(i)].width = column.width
        self.sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}2"
        self.sheet.print_title_rows = "1:1"
        header = []
        for column in columns:
            cell = text_cell(self.sheet, column.header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        self.sheet.append(header)

    def add(self, values: Iterable):
        """Append one row; texts are text cells, numbers get their column's format, None
        stays empty."""
        cells = []
        for column, value in zip(self.columns, values, strict=True):
            if isinstance(value, str):
                cells.append(text_cell(self.sheet, value))
            elif column.number_format and value is not None:
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = column.number_format
                cells.append(cell)
            else:  # a plain number is written twice as fast as a cell object
                cells.append(value)
        self.sheet.append(cells)


def text_cell(sheet, text: str) -> WriteOnlyCell:
    """A cell that holds `text` as text, whatever it starts with, without control characters.

    Every text of every workbook goes through here. openpyxl infers a formula from a leading
    "=" (and an error from "#N/A"): a citizen's `=HYPERLINK(...)` would become a live link
    carrying the sheet's data away. Control characters stored before they were stripped on
    input would make openpyxl refuse to write the file.
    """
    cell = WriteOnlyCell(sheet, value=strip_control(text))
    cell.data_type = "s"
    return cell


def _saved(workbook) -> bytes:
    # Write-only workbooks save once, to a file; a temporary one keeps memory flat.
    with tempfile.TemporaryFile() as f:
        workbook.save(f)
        f.seek(0)
        return f.read()


def _yes(flag):
    return _("yes") if flag else ""


def _pair(pair, i):
    return None if not pair else pair[i]


# --- the year ---------------------------------------------------------------------------------


def _summary_sheet(workbook, data):
    sheet = _Sheet(
        workbook,
        _("Summary"),
        [
            Column(_("No."), 5),
            Column(_("Code"), 14),
            Column(_("Organization"), 36),
            Column(_("Score"), 8, SCORE),
            Column(_("Rating"), 30),
            Column(_("Borderline"), 10),
            Column(_("To review"), 10),
            Column(_("Finalized"), 10),
            Column(_("Finalized on"), 12, DAY),
            Column(_("Changed since finalization"), 14),
        ],
        freeze_columns=3,
    )
    for position, org in enumerate(data.document["organizations"], start=1):
        finalized_on = None
        if org.get("finalized_at"):
            finalized_on = datetime.fromisoformat(org["finalized_at"]).astimezone(COMMUNE_TIME)
            finalized_on = finalized_on.date()
        sheet.add(
            [
                position,
                org["org"],
                org["name"],
                org["score"],
                org["tier_label"],
                _yes(org.get("borderline")),
                _yes(any(c.get("sensitive") for c in org["criteria"])),
                _yes(org.get("finalized")),
                finalized_on,
                _yes(org.get("changed_since_finalization")),
            ]
        )


def _criteria_sheet(workbook, data):
    status = {"met": _("met"), "not_met": _("not met"), "insufficient": _("too few answers")}
    sheet = _Sheet(
        workbook,
        _("Criteria"),
        [
            Column(_("Organization"), 30),
            Column(_("Criterion"), 44),
            Column(_("Achieved"), 10, PERCENT),
            Column(_("Interval from"), 10, PERCENT),
            Column(_("Interval to"), 10, PERCENT),
            Column(_("Answers (n)"), 10, COUNT),
            Column(_("Effective n"), 10, SCORE),
            Column(_("Target"), 10, PERCENT),
            Column(_("Weight"), 9, SCORE),
            Column(_("Points"), 9, SCORE),
            Column(_("Assessment"), 14),
            Column(_("Exceeded"), 10),
            Column(_("Key target"), 10),
            Column(_("To review"), 10),
            Column(_("Criterion code"), 20),
        ],
        freeze_columns=2,
    )
    for org in data.document["organizations"]:
        for c in org["criteria"]:
            sheet.add(
                [
                    org["name"],
                    c["label"],
                    c["value"],
                    _pair(c["ci"], 0),
                    _pair(c["ci"], 1),
                    c["n"],
                    c["n_eff"],
                    c["target"],
                    c["weight"],
                    c["points"],
                    status[c["status"]],
                    _yes(c.get("exceeded")),
                    _yes(c.get("key")),
                    _yes(c.get("sensitive")),
                    c["code"],
                ]
            )


def _question_sheet(workbook, surveys: Sequence[SurveyData]):
    """Per survey and question: n, mean and its interval, top-2 share and its interval, then
    one row per option or value with its count and share of the question's respondents."""
    sheet = _Sheet(
        workbook,
        _("Question results"),
        [
            Column(_("Survey"), 18),
            Column(_("Question code"), 10),
            Column(_("Question"), 44),
            Column(_("Kind"), 16),
            Column(_("Answers (n)"), 9, COUNT),
            Column(_("Mean"), 8, MEAN),
            Column(_("Mean from"), 8, MEAN),
            Column(_("Mean to"), 8, MEAN),
            Column(_("Share of 4-5"), 9, PERCENT),
            Column(_("Share from"), 9, PERCENT),
            Column(_("Share to"), 9, PERCENT),
            Column(_("Option or value"), 10),
            Column(_("Option"), 30),
            Column(_("Count"), 9, COUNT),
            Column(_("Share of answers"), 10, PERCENT),
        ],
        freeze_columns=2,
    )
    for survey in surveys:
        for question in survey.questions:
            result = survey.results["questions"].get(question.code)
            if result is None:
                continue
            if result.get("suppressed"):
                hidden = _("Hidden: fewer than %(k)s answers.", k=survey.results["suppression_k"])
                kind = str(KIND_NAMES.get(question.kind, question.kind))
                head = [survey.code, question.code, question.text, kind]
                sheet.add([*head, *[SUPPRESSED] * 7, None, hidden, SUPPRESSED, SUPPRESSED])
                continue
            n = result["n"]
            summary = [
                survey.code,
                question.code,
                question.text,
                str(KIND_NAMES.get(question.kind, question.kind)),
                n,
                result.get("mean"),
                _pair(result.get("ci"), 0),
                _pair(result.get("ci"), 1),
                result.get("top2"),
                _pair(result.get("top2_ci"), 0),
                _pair(result.get("top2_ci"), 1),
            ]
            counts = list(result["counts"].items()) or [(None, None)]
            for i, (value, count) in enumerate(counts):
                first = summary if i == 0 else [survey.code, question.code] + [None] * 9
                sheet.add(
                    [
                        *first,
                        value,
                        question.options.get(value, "") if value is not None else "",
                        count,
                        (count / n) if (count is not None and n) else None,
                    ]
                )


def _village_sheet(workbook, surveys: Sequence[SurveyData], village_names):
    """The Results JSON's village breakdown as it is: a suppressed village shows "—"."""
    sheet = _Sheet(
        workbook,
        _("By village"),
        [
            Column(_("Survey"), 18),
            Column(_("Village code"), 12),
            Column(_("Village"), 22),
            Column(_("Respondents"), 11, COUNT),
            Column(_("Question code"), 10),
            Column(_("Answers (n)"), 9, COUNT),
            Column(_("Mean"), 8, MEAN),
            Column(_("Mean from"), 8, MEAN),
            Column(_("Mean to"), 8, MEAN),
            Column(_("Share of 4-5"), 9, PERCENT),
            Column(_("Share from"), 9, PERCENT),
            Column(_("Share to"), 9, PERCENT),
            Column(_("Remarks"), 40),
        ],
        freeze_columns=3,
    )
    for survey in surveys:
        k = survey.results["suppression_k"]
        for code, unit in survey.results["units"].items():
            name = village_names.get(code, code)
            if unit["suppressed"]:
                hidden = _(
                    "Hidden: fewer than %(k)s respondents, or needed to keep one hidden.", k=k
                )
                sheet.add([survey.code, code, name, SUPPRESSED, *[SUPPRESSED] * 8, hidden])
                continue
            questions = list(unit["questions"].items()) or [(None, {})]
            for question_code, result in questions:
                if result.get("suppressed"):
                    cell_hidden = _(
                        "Hidden: fewer than %(k)s answers in the village, or needed to keep "
                        "one hidden.",
                        k=k,
                    )
                    row = [survey.code, code, name, unit["n"], question_code]
                    sheet.add([*row, *[SUPPRESSED] * 7, cell_hidden])
                    continue
                sheet.add(
                    [
                        survey.code,
                        code,
                        name,
                        unit["n"],
                        question_code,
                        result.get("n"),
                        result.get("mean"),
                        _pair(result.get("ci"), 0),
                        _pair(result.get("ci"), 1),
                        result.get("top2"),
                        _pair(result.get("top2_ci"), 0),
                        _pair(result.get("top2_ci"), 1),
                        "",
                    ]
                )


def _targets_sheet(workbook, data):
    names = {o["org"]: o["name"] for o in data.document["organizations"]}
    sheet = _Sheet(
        workbook,
        _("Targets"),
        [
            Column(_("Resolution target"), 70),
            Column(_("Result"), 14),
            Column(_("Not met"), 36),
            Column(_("No figures"), 36),
        ],
        freeze_columns=1,
    )
    for target in data.targets:
        verdict = {True: _("met"), False: _("not met"), None: _("no figures")}[target.met]
        sheet.add(
            [
                target.label(data.lang),
                verdict,
                ", ".join(names.get(c, c) for c in target.missed),
                ", ".join(names.get(c, c) for c in target.unknown),
            ]
        )


def _integrity_sheet(workbook, data):
    sheet = _Sheet(
        workbook,
        _("Flagged responses"),
        [
            Column(_("Survey"), 18),
            Column(_("Check"), 44),
            Column(_("Responses"), 10, COUNT),
            Column(_("Groups"), 8, COUNT),
            Column(_("Villages"), 30),
        ],
        freeze_columns=1,
    )
    for row in integrity_rows(data):
        sheet.add(
            [
                row.survey,
                row.check,
                SUPPRESSED if row.responses is None else row.responses,
                row.groups,
                ", ".join(row.villages),
            ]
        )


def year_workbook(data: YearData) -> bytes:
    """The year's workbook: summary, criteria, question results, villages, targets, flags."""
    with force_locale(data.lang):
        workbook = Workbook(write_only=True)
        _summary_sheet(workbook, data)
        _criteria_sheet(workbook, data)
        _question_sheet(workbook, data.surveys)
        _village_sheet(workbook, data.surveys, data.village_names)
        _targets_sheet(workbook, data)
        _integrity_sheet(workbook, data)
        return _saved(workbook)


# --- one survey -------------------------------------------------------------------------------


def _notes_sheet(workbook, left_out):
    sheet = _Sheet(workbook, _("Notes"), [Column(_("Notes"), 100)])
    sheet.add(
        [
            _(
                "Not in this file: the free-text answers to these questions, which are not "
                "about your organization."
            )
        ]
    )
    for code, text in left_out:
        sheet.add([f"{code}: {text}"])


def survey_workbook(
    survey, data: SurveyData, village_names, lang: str = "vi", left_out: Sequence = ()
) -> bytes:
    """One survey's anonymized responses (as in its CSV export), with its question results
    and village breakdown. The questions of `left_out` ((code, text) pairs: free text the
    reader may not read) have no column; a sheet of notes names them."""
    with force_locale(lang):
        workbook = Workbook(write_only=True)
        rows = response_rows(survey, as_numbers=True, left_out={code for code, _t in left_out})
        columns = [
            Column(code, 14 if i < 5 else max(8.0, len(code) + 2), DAY if i == 2 else None)
            for i, code in enumerate(next(rows))
        ]
        responses = _Sheet(workbook, _("Anonymized responses"), columns, freeze_columns=1)
        for row in rows:
            responses.add(row)
        _question_sheet(workbook, [data])
        _village_sheet(workbook, [data], village_names)
        if left_out:
            _notes_sheet(workbook, left_out)
        return _saved(workbook)
