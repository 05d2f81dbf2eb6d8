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
from survey.models.vocabulary import (
    CHANNEL_NAMES,
    KIND_NAMES,
    LANGUAGE_NAMES,
    TASK_STATUS_NAMES,
)
from survey.reports.year_data import (
    SUPPRESSED,
    SurveyData,
    YearData,
    integrity_rows,
    question_infos,
)
from survey.responses.export import response_rows
from survey.responses.importing import FIXED_COLUMNS

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
            Column(_("Organization"), 36),
            Column(_("Score"), 8, SCORE),
            Column(_("Rating"), 30),
            Column(_("Borderline"), 10),
            Column(_("To review"), 10),
            Column(_("Finalized"), 10),
            Column(_("Finalized on"), 12, DAY),
            Column(_("Changed since finalization"), 14),
        ],
        freeze_columns=2,
    )
    for position, org in enumerate(data.document["organizations"], start=1):
        finalized_on = None
        if org.get("finalized_at"):
            finalized_on = datetime.fromisoformat(org["finalized_at"]).astimezone(COMMUNE_TIME)
            finalized_on = finalized_on.date()
        sheet.add(
            [
                position,
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
    status = {
        "met": _("met"),
        "not_met": _("not met"),
        "insufficient": _("too few answers"),
        "missing": _("no figures yet"),
    }
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
                ]
            )


def _question_sheet(workbook, surveys: Sequence[SurveyData]):
    """Per survey and question: n, mean and its interval, top-2 share and its interval, then
    one row per option or value with its count and share of the question's respondents."""
    sheet = _Sheet(
        workbook,
        _("Question results"),
        [
            Column(_("Survey"), 24),
            Column(_("Question"), 44),
            Column(_("Kind"), 16),
            Column(_("Answers (n)"), 9, COUNT),
            Column(_("Mean"), 8, MEAN),
            Column(_("Mean from"), 8, MEAN),
            Column(_("Mean to"), 8, MEAN),
            Column(_("Share of 4-5"), 9, PERCENT),
            Column(_("Share from"), 9, PERCENT),
            Column(_("Share to"), 9, PERCENT),
            Column(_("Answer"), 30),
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
            kind = str(KIND_NAMES.get(question.kind, question.kind))
            head = [survey.title, question.heading]
            if result.get("suppressed"):
                hidden = _("Hidden: fewer than %(k)s answers.", k=survey.results["suppression_k"])
                sheet.add([*head, kind, *[SUPPRESSED] * 7, hidden, SUPPRESSED, SUPPRESSED])
                continue
            n = result["n"]
            summary = [
                *head,
                kind,
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
                first = summary if i == 0 else [*head] + [None] * 8
                sheet.add(
                    [
                        *first,
                        _answer_words(question, value),
                        count,
                        (count / n) if (count is not None and n) else None,
                    ]
                )


def _answer_words(question, value):
    """An answer as a reader knows it: an option by its label, a scale value as its number."""
    if value is None:
        return ""
    if value in question.options:
        return question.options[value]
    if question.kind == "yesno":
        return _("Yes") if str(value) == "1" else _("No")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() else number


def _village_sheet(workbook, surveys: Sequence[SurveyData], village_names):
    """The Results JSON's village breakdown as it is: a suppressed village shows "—"."""
    sheet = _Sheet(
        workbook,
        _("By village"),
        [
            Column(_("Survey"), 24),
            Column(_("Village"), 22),
            Column(_("Respondents"), 11, COUNT),
            Column(_("Question"), 40),
            Column(_("Answers (n)"), 9, COUNT),
            Column(_("Mean"), 8, MEAN),
            Column(_("Mean from"), 8, MEAN),
            Column(_("Mean to"), 8, MEAN),
            Column(_("Share of 4-5"), 9, PERCENT),
            Column(_("Share from"), 9, PERCENT),
            Column(_("Share to"), 9, PERCENT),
            Column(_("Remarks"), 40),
        ],
        freeze_columns=2,
    )
    for survey in surveys:
        k = survey.results["suppression_k"]
        headings = {q.code: q.heading for q in survey.questions}
        for code, unit in survey.results["units"].items():
            name = village_names.get(code, code)
            if unit["suppressed"]:
                hidden = _(
                    "Hidden: fewer than %(k)s respondents, or needed to keep one hidden.", k=k
                )
                sheet.add([survey.title, name, SUPPRESSED, *[SUPPRESSED] * 8, hidden])
                continue
            questions = list(unit["questions"].items()) or [(None, {})]
            for question_code, result in questions:
                question = headings.get(question_code, question_code)
                if result.get("suppressed"):
                    cell_hidden = _(
                        "Hidden: fewer than %(k)s answers in the village, or needed to keep "
                        "one hidden.",
                        k=k,
                    )
                    row = [survey.title, name, unit["n"], question]
                    sheet.add([*row, *[SUPPRESSED] * 7, cell_hidden])
                    continue
                sheet.add(
                    [
                        survey.title,
                        name,
                        unit["n"],
                        question,
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


def _tasks_sheet(workbook, data):
    """The year's programmes' tasks, one row each: who answers for it, when it was due, its
    state in words, when it was done and whether that was on time (empty while not judged)."""
    sheet = _Sheet(
        workbook,
        _("Programme tasks"),
        [
            Column(_("Programme"), 30),
            Column(_("Organization"), 24),
            Column(_("Task"), 40),
            Column(_("Person responsible"), 24),
            Column(_("Due date"), 12, DAY),
            Column(_("State"), 14),
            Column(_("Done on"), 12, DAY),
            Column(_("On time"), 9),
        ],
        freeze_columns=1,
    )
    judged = {True: _("Yes"), False: _("No"), None: ""}
    for programme in data.programmes:
        for task in programme.tasks:
            sheet.add(
                [
                    programme.title,
                    task.organization,
                    task.title,
                    task.owner,
                    task.due_on,
                    str(TASK_STATUS_NAMES[task.status]),
                    task.done_on,
                    judged[task.on_time],
                ]
            )


def year_workbook(data: YearData) -> bytes:
    """The year's workbook: summary, criteria, question results, villages, targets, flags and
    the programmes' tasks."""
    with force_locale(data.lang):
        workbook = Workbook(write_only=True)
        _summary_sheet(workbook, data)
        _criteria_sheet(workbook, data)
        _question_sheet(workbook, data.surveys)
        _village_sheet(workbook, data.surveys, data.village_names)
        _targets_sheet(workbook, data)
        _integrity_sheet(workbook, data)
        _tasks_sheet(workbook, data)
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
    for _code, text in left_out:
        sheet.add([text])


def _responses_sheet(workbook, survey, lang, village_names, left_out):
    """The anonymized responses of the CSV export, for people: each question headed by its
    text ("Câu 3. ..."), villages, channels and languages by name, options by their label,
    yes/no in words. The CSV keeps the codes, for machines and re-import."""
    rows = response_rows(survey, as_numbers=True, left_out=left_out)
    codes = next(rows)[len(FIXED_COLUMNS) :]
    questions = {q.code: q for q in question_infos(survey, lang, free_text=True)}
    fixed = [
        Column(_("Row"), 14),
        Column(_("Village"), 16),
        Column(_("Day"), 12, DAY),
        Column(_("Channel"), 12),
        Column(_("Language"), 12),
    ]
    heads = [Column(questions[code].heading, 24) for code in codes]
    sheet = _Sheet(workbook, _("Anonymized responses"), [*fixed, *heads], freeze_columns=1)
    said = [questions[code] for code in codes]
    for row in rows:
        row_id, village, day, channel, language, *answers = row
        sheet.add(
            [
                row_id,
                village_names.get(village, village) if village else "",
                day,
                str(CHANNEL_NAMES.get(channel, channel)),
                str(LANGUAGE_NAMES.get(language, language)),
                *(_cell_words(q, value) for q, value in zip(said, answers, strict=True)),
            ]
        )


def _cell_words(question, value):
    """One answer cell: option labels for choices (several joined by "; "), yes/no in words,
    numbers as numbers, texts as typed."""
    if value is None or value == "":
        return None
    if question.kind == "multi":
        return "; ".join(question.options.get(code, code) for code in str(value).split("|"))
    if question.kind == "single":
        return question.options.get(value, value)
    if question.kind == "yesno":
        return _("Yes") if value == 1 else _("No")
    return value


def survey_workbook(
    survey, data: SurveyData, village_names, lang: str = "vi", left_out: Sequence = ()
) -> bytes:
    """One survey's anonymized responses (as in its CSV export, in words), with its question
    results and village breakdown. The questions of `left_out` ((code, text) pairs: free text
    the reader may not read) have no column; a sheet of notes names them."""
    with force_locale(lang):
        workbook = Workbook(write_only=True)
        _responses_sheet(workbook, survey, lang, village_names, {code for code, _t in left_out})
        _question_sheet(workbook, [data])
        _village_sheet(workbook, [data], village_names)
        if left_out:
            _notes_sheet(workbook, left_out)
        return _saved(workbook)
