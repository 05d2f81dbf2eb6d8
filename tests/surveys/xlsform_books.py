"""Workbooks for the XLSForm tests, built with openpyxl: a sheet is a header and its rows."""

import io

from openpyxl import Workbook


def workbook(survey, choices=None, settings=None):
    """The .xlsx bytes of an XLSForm: each sheet a list of rows, its header first."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = book.create_sheet(name)
            for row in rows:
                extra.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def one_question(row, header=("type", "name", "label"), choices=None, settings=None):
    """A workbook of a yes/no question `ask` and then `row` (under `header`)."""
    survey = [header, ("select_one yn", "ask", "Hỏi?"), row]
    yes_no = [("list_name", "name", "label"), ("yn", "yes", "Có"), ("yn", "no", "Không")]
    return workbook(survey, yes_no + list(choices or []), settings)
