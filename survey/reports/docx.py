"""The year-end report as an editable Word document in the Party's administrative style.

A4, Times New Roman 13 pt; the header block of a Party document (the issuing committee and
"*" on the left, "ĐẢNG CỘNG SẢN VIỆT NAM" underlined with the place and date on the right); a
centred bold title; the body as survey.reports.year_report wrote it; recipients and signature.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from survey.core.text_safety import without_control
from survey.reports.report_text import YearReport

FONT = "Times New Roman"
BODY_PT = 13
TABLE_PT = 11
# Margins of Vietnamese administrative documents: 20-25 mm top and bottom, 30-35 mm left,
# 15-20 mm right.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
HEADING_PT = {1: 13, 2: 13, 3: 13}
LANGUAGE_TAGS = {"vi": "vi-VN", "en": "en-GB"}


def _set_fonts(style, size, lang):
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    # Theme fonts (Word's Calibri/Calibri Light) win over named ones: drop them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), LANGUAGE_TAGS.get(lang, lang))


def _page_and_styles(document, lang):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    _set_fonts(normal, BODY_PT, lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level, size in HEADING_PT.items():
        style = document.styles[f"Heading {level}"]
        _set_fonts(style, size, lang)
        style.font.bold = True
        style.font.italic = level == 3
        style.paragraph_format.space_before = Pt(12 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True


def _paragraph(
    container,
    text,
    *,
    size=None,
    bold=False,
    italic=False,
    underline=False,
    align=None,
    space_after=None,
):
    paragraph = container.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if space_after is not None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _cell_text(cell, lines, *, bold_lines=(), italic_lines=(), underline_lines=(), size=BODY_PT):
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for i, line in enumerate(lines):
        _paragraph(
            cell,
            line,
            size=size,
            bold=i in bold_lines,
            italic=i in italic_lines,
            underline=i in underline_lines,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=0,
        )


def _header(document, report):
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(TEXT_WIDTH_MM - 70)
    issuer = list(report.issuer)
    _cell_text(
        left,
        [*issuer, "*", report.document_number],
        bold_lines=(len(issuer) - 1,),
    )
    _cell_text(
        right,
        [report.party, "", report.place_date],
        bold_lines=(0,),
        underline_lines=(0,),
        italic_lines=(2,),
    )


def _repeat_as_header(row):
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table(document, block):
    columns = len(block.header)
    table = document.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    weights = block.widths or (1.0,) * columns
    widths = [Mm(TEXT_WIDTH_MM * w / sum(weights)) for w in weights]
    # The grid's own widths too: Word reads the cells', LibreOffice the grid's.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    _repeat_as_header(table.rows[0])
    for i, text in enumerate(block.header):
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        cell.paragraphs[0].text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(TABLE_PT)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].paragraph_format.space_after = Pt(0)
    for values in block.rows:
        cells = table.add_row().cells
        for i, text in enumerate(values):
            cells[i].width = widths[i]
            paragraph = cells[i].paragraphs[0]
            run = paragraph.add_run(text)
            run.font.size = Pt(TABLE_PT)
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.0
            if i in block.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _body(document, report):
    for block in report.body:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "paragraph":
            paragraph = _paragraph(
                document,
                block.text,
                bold=block.emphasis == "bold",
                italic=block.emphasis == "italic",
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            )
            paragraph.paragraph_format.first_line_indent = Mm(10)
        elif block.kind == "bullets":
            for item in block.items:
                paragraph = _paragraph(document, f"- {item}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
                paragraph.paragraph_format.first_line_indent = Mm(10)
        elif block.kind == "table":
            _table(document, block)
        else:
            raise ValueError(f"unknown block kind {block.kind!r}")


def _closing(document, report):
    table = document.add_table(rows=1, cols=2)
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(TEXT_WIDTH_MM / 2), Mm(TEXT_WIDTH_MM / 2)
    left.paragraphs[0]._element.getparent().remove(left.paragraphs[0]._element)
    first, *rest = report.recipients
    _paragraph(left, first, size=12, bold=True, italic=True, space_after=0)
    for line in rest:
        _paragraph(left, line, size=11, space_after=0)
    _cell_text(right, list(report.signature), bold_lines=tuple(range(len(report.signature))))


def report_docx(report: YearReport) -> bytes:
    """The report as the bytes of a .docx file."""
    # Texts stored before control characters were stripped on input (a survey's title, a
    # rule set's title) must not stop the report: the document's XML cannot hold them.
    report = without_control(report)
    document = Document()
    _page_and_styles(document, report.lang)
    properties = document.core_properties
    properties.title = f"{report.title} {report.subtitle}"
    properties.author = report.issuer[-1]
    properties.language = LANGUAGE_TAGS.get(report.lang, report.lang)
    _header(document, report)
    _paragraph(document, "", space_after=6)
    _paragraph(
        document, report.title, size=15, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0
    )
    _paragraph(document, report.subtitle, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _body(document, report)
    _closing(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
